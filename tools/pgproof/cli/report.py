"""A plan for people and machines: markdown for a pull-request comment or job summary,
and json (schema `schemas/plan.schema.json`, versioned). The SQL inside is the plan's own
body, rendered by `plan.render_body`, so the comment shows exactly what apply runs.
Also the history's markdown (deploy's job summary). Markdown never names a host."""

from __future__ import annotations

import json
from typing import Any

from pgproof.core.escape import ENVIRONMENT_PREFIX, html, markdown, markdown_code, markdown_fence, markdown_target
from pgproof.core.hints import command
from pgproof.core import estimate
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


def render_json(plan: Plan, path: str | None = None, **_: Any) -> str:
    return json.dumps(as_dict(plan, path), indent=2) + "\n"


def render_markdown(plan: Plan, path: str | None = None, *, target: str | None = None,
                    rollback: Plan | None = None) -> str:
    """The PR comment: `target` is the target's label (Settings.target_label: named by its
    environment, never by host); `rollback` the plan's rollback plan, for its section."""
    title = "rollback plan" if plan.kind == ROLLBACK else "plan"
    where = markdown_target(target)
    if plan.empty:
        return f"### ✅ pgproof {title}: nothing to do\n\n{where[:1].upper() + where[1:]} already matches the desired schema.\n"
    out = [
        f"### pgproof {title}: {len(plan.statements)} statement(s), {len(plan.fixes)} data fix(es)\n",
        f"Made against {where} (PostgreSQL {markdown(plan.target_version)}); "
        f"fingerprint `{plan.target_fingerprint[:12]}` → `{plan.desired_fingerprint[:12]}`; "
        f"checksum `{plan.checksum[:19]}`.\n",
        f"**Estimated time**: {estimate.describe(estimate.seconds(plan))} ({estimate.HOW}).\n",
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
    out += _rollback_section(plan, rollback, target)
    return "\n".join(out)


def _rollback_section(plan: Plan, rollback: Plan | None, target: str | None) -> list[str]:
    """What the way back does, its hazards, how it is applied, what it cannot bring back."""
    if plan.kind == ROLLBACK:
        return []
    out = ["**Rollback**\n"]
    env = ("--env", target.removeprefix(ENVIRONMENT_PREFIX)) if target and target.startswith(ENVIRONMENT_PREFIX) else ()
    if plan.rollback_file:
        file = plan.rollback_file.rsplit("/", 1)[-1]
        what = (f"{len(rollback.statements)} statement(s) that" if rollback is not None else "Its statements")
        out.append(f"{markdown_code(file)}, proven when this plan was made: {what} bring the target back to the "
                   "schema this plan was made against. Every apply records it in the target's history, so "
                   "`pgproof history` then `pgproof rollback ID --out rollback.sql` writes it back after the file is gone.\n")
        codes = ",".join(rollback.hazard_codes) if rollback is not None else ""
        allow = ("--allow-hazards", codes) if codes else ()
        out.append(f"Apply it with: {markdown_code(command('apply', file, *env, '--yes', *allow))}\n")
        if rollback is not None and rollback.hazard_codes:
            out += ["| rollback statement | hazard | detail |", "| --- | --- | --- |"]
            out += [f"| {n} | `{h.kind.code}` | {markdown(h.detail)} |"
                    for n, s in enumerate(rollback.statements, start=1) for h in s.hazards if h.needs_ack]
            out.append("")
        elif rollback is not None:
            out.append("Its hazards: none.\n")
    else:
        out.append("No rollback plan was written with this plan.\n")
    if plan.irreversible:
        out += ["**A rollback cannot bring back:**\n"] + [f"- {markdown(line)}" for line in plan.irreversible] + [""]
    if plan.fixes:
        out.append("The rollback changes the schema only: rows the data fixes changed or removed stay as the "
                   "fixes left them (their previous values are archived, restorable one by one).\n")
    elif not plan.irreversible:
        out.append("Nothing this plan changes is lost on the way back.\n")
    return out


def render_sql(plan: Plan, path: str | None = None, **_: Any) -> str:
    return render(plan)


HISTORY_ROWS = 20  # a job summary shows the newest applies; `history --format json` has them all


def render_history_markdown(entries: list, target: str | None = None) -> str:
    """The applies of `pgproof history` (ledger.history.Entry, newest first) as a job summary."""
    where = markdown_target(target)
    if not entries:
        return f"### pgproof history\n\nNo plan has been applied to {where} yet.\n"
    out = [f"### pgproof history: {len(entries)} apply(ies) on {where}\n",
           "| id | started (UTC) | outcome | steps | seconds | user | plan | rollback |",
           "| ---: | --- | --- | ---: | ---: | --- | --- | --- |"]
    for e in entries[:HISTORY_ROWS]:
        took = f"{e.duration_ms / 1000:.1f}" if e.duration_ms is not None else "-"
        who = markdown_code(e.database_user + (f" ({e.os_user})" if e.os_user else ""), in_table=True)
        back = f"`pgproof rollback {e.id}`" if e.has_rollback else "-"
        outcome = f"{e.outcome}: {markdown(e.error)}" if e.error else e.outcome
        out.append(f"| {e.id} | {e.started_at:%Y-%m-%d %H:%M:%S} | {outcome} | {e.statements_done}/{e.statements} | "
                   f"{took} | {who} | {e.plan_kind} `{e.plan_checksum[7:19]}` | {back} |")
    if len(entries) > HISTORY_ROWS:
        out.append(f"\n{len(entries) - HISTORY_ROWS} older apply(ies) not shown: `pgproof history --format json` lists them all.")
    return "\n".join(out) + "\n"


RENDERERS = {"sql": render_sql, "markdown": render_markdown, "json": render_json}
