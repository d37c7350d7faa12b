"""A plan for people and machines: markdown for a pull-request comment or job summary,
and json (schema `schemas/plan.schema.json`, versioned). The SQL inside is the plan's own
body, rendered by `plan.render_body`, so the comment shows exactly what apply runs."""

from __future__ import annotations

import json
from typing import Any

from pgproof.core.escape import html, markdown, markdown_code, markdown_fence
from pgproof.core.hazard import HazardKind
from pgproof.core.plan_file import ROLLBACK, Plan, render, render_body
from pgproof.core.transactions import summaries

JSON_FORMAT = "pgproof.plan/1"


def as_dict(plan: Plan, path: str | None = None) -> dict[str, Any]:
    return {
        "format": JSON_FORMAT,
        "file": path,
        "kind": plan.kind,
        "created": plan.created,
        "target": plan.target,
        "target_version": plan.target_version,
        "scratch_version": plan.scratch_version,
        "target_fingerprint": plan.target_fingerprint,
        "desired_fingerprint": plan.desired_fingerprint,
        "schema_source": plan.schema_source,
        "checksum": plan.checksum,
        "empty": plan.empty,
        "hazard_codes": plan.hazard_codes,
        "hazards": [
            {"statement": n, "code": h.kind.code, "detail": h.detail, "resolved_by": h.resolved_by}
            for n, s in enumerate(plan.statements, start=1) for h in s.hazards
        ],
        "fixes": [{"name": f.name, "phase": f.phase, "rows": f.rows, "checksum": f.checksum,
                   "resolves": list(f.resolves), "hazard": HazardKind.DATA_FIX.code if f.rows else None}
                  for f in plan.fixes],
        "statements": [
            {"number": n, "sql": s.render(), "origin": s.origin, "transactional": s.transactional,
             "transaction": s.group, "hazards": sorted({h.kind.code for h in s.hazards if h.needs_ack})}
            for n, s in enumerate(plan.statements, start=1)
        ],
        "transactions": [
            {"number": t.number, "first_statement": t.first, "last_statement": t.last,
             "transactional": t.transactional, "lock": t.lock.mode if t.lock else None,
             "lock_on": list(t.on), "lock_on_new_objects": bool(t.lock and t.lock.new)}
            for t in summaries(plan.statements)
        ],
        "rollback_file": plan.rollback_file,
        "irreversible": list(plan.irreversible),
        "notes": list(plan.notes),
        "rehearsal": list(plan.rehearsal),
    }


def render_json(plan: Plan, path: str | None = None) -> str:
    return json.dumps(as_dict(plan, path), indent=2) + "\n"


def render_markdown(plan: Plan, path: str | None = None) -> str:
    title = "rollback plan" if plan.kind == ROLLBACK else "plan"
    if plan.empty:
        return f"### ✅ pgproof {title}: nothing to do\n\n{markdown_code(plan.target)} already matches the desired schema.\n"
    out = [
        f"### pgproof {title}: {len(plan.statements)} statement(s), {len(plan.fixes)} data fix(es)\n",
        f"Target {markdown_code(plan.target)} (PostgreSQL {markdown(plan.target_version)}); "
        f"fingerprint `{plan.target_fingerprint[:12]}` → `{plan.desired_fingerprint[:12]}`; "
        f"checksum `{plan.checksum[:19]}`.\n",
    ]
    if plan.hazard_codes:
        out += [
            f"**Hazards** — apply needs `--allow-hazards {','.join(plan.hazard_codes)}` "
            "(in CI: a label `hazard:<CODE>` for each):\n",
            "| statement | hazard | detail |",
            "| --- | --- | --- |",
        ]
        out += [
            f"| {n} | `{h.kind.code}` | {markdown(h.detail)} |"
            for n, s in enumerate(plan.statements, start=1) for h in s.hazards if h.needs_ack
        ]
        out += [f"| fix {markdown_code(f.name, in_table=True)} | `{h.kind.code}` | {markdown(h.detail)} |"
                for f, h in plan.fix_hazards]
        out.append("")
    else:
        out.append("**Hazards**: none to acknowledge.\n" if plan.resolved_hazards else "**Hazards**: none.\n")
    if plan.resolved_hazards:
        out += ["**Resolved by the plan's own data fixes** (no label needed):\n",
                "| statement | hazard | detail | resolved by |", "| --- | --- | --- | --- |"]
        out += [f"| {n} | `{h.kind.code}` | {markdown(h.detail)} | {markdown_code(h.resolved_by or '', in_table=True)} |"
                for n, h in plan.resolved_hazards]
        out.append("")
    if plan.fixes:
        out += ["**Data fixes** (run by apply in short batches, rows archived):\n",
                "| fix | phase | rows to fix |", "| --- | --- | ---: |"]
        out += [f"| {markdown_code(f.name, in_table=True)} | {f.phase} | {f.rows:,} |" for f in plan.fixes]
        out.append("")
    if plan.irreversible:
        out += ["**Cannot be brought back:**\n"] + [f"- {markdown(line)}" for line in plan.irreversible] + [""]
    if plan.rehearsal:
        out += [f"**Rehearsal**: {markdown(plan.rehearsal[0])}\n"] + [f"- {markdown(line)}" for line in plan.rehearsal[1:]] + [""]
    out += [f"> {markdown(note)}\n" for note in plan.notes]
    if plan.statements:
        out += ["**Transactions** (the strongest lock each takes):\n",
                "| transaction | statements | lock | on |", "| ---: | --- | --- | --- |"]
        for t in summaries(plan.statements):
            which = str(t.first) if t.first == t.last else f"{t.first}-{t.last}"
            which += "" if t.transactional else " (outside a transaction block)"
            lock = f"`{t.lock.mode}`" if t.lock else "no table lock"
            on = ", ".join(markdown_code(o, in_table=True) for o in t.on) + (" (new)" if t.lock and t.lock.new else "")
            out.append(f"| {t.number} | {which} | {lock} | {on} |")
        out.append("")
    out += [
        f"<details><summary>SQL ({len(plan.statements)} statements{', ' + html(path) if path else ''})</summary>\n",
        markdown_fence(render_body(plan).rstrip(), "sql"),
        "</details>\n",
    ]
    if plan.rollback_file:
        out.append(f"Rollback: {markdown_code(plan.rollback_file)}, applied with `pgproof apply`.\n")
    return "\n".join(out)


def render_sql(plan: Plan, path: str | None = None) -> str:
    return render(plan)


RENDERERS = {"sql": render_sql, "markdown": render_markdown, "json": render_json}
