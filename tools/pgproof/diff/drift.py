"""Drift: how the target differs from the desired schema, per object and in both
directions, with the statements that would close it. Three renderers: text for people,
json for machines (schema `drift.schema.json`, versioned), markdown for PR comments and
job summaries."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from pgproof.diff import gaps
from pgproof.read.catalog import Difference
from pgproof.diff.engine import Diff
from pgproof.core.statement import render_script
from pgproof.core.escape import markdown, markdown_code, markdown_fence, markdown_target, one_line

JSON_FORMAT = "pgproof.drift/1"

# Which field of a definition says the most about an object, for one-line summaries.
_SUMMARY_FIELDS = ("definition", "type", "text", "labels", "schema")


@dataclass(frozen=True)
class DriftReport:
    target: str  # masked URL, or a description such as "an empty database"
    schema: str
    diff: Diff

    @property
    def drifted(self) -> bool:
        """A difference, or an object pgproof cannot compare: never a silent "no drift"."""
        return self.diff.drifted or bool(self.diff.not_compared)

    @property
    def unverified(self) -> bool:
        """Everything compared matches, but objects of uncompared kinds exist."""
        return not self.diff.drifted and bool(self.diff.not_compared)


def describe(difference: Difference) -> str:
    """One line a person can read: what is missing, extra or different, and how."""
    if difference.status == "missing":
        return f"missing {difference.label}: {_summary(difference.desired)}"
    if difference.status == "extra":
        return f"extra {difference.label} (not in the schema file): {_summary(difference.actual)}"
    changes = "; ".join(
        f"{name} is {_value(difference.actual.get(name))}, should be {_value(difference.desired.get(name))}"
        for name in difference.changed_fields
    )
    return f"different {difference.label}: {changes}"


def _summary(definition: dict[str, Any] | None) -> str:
    if not definition:
        return "-"
    for name in _SUMMARY_FIELDS:
        if definition.get(name) is not None:
            return _value(definition[name])
    return _value(definition)


def _value(value: Any) -> str:
    if isinstance(value, str):
        flat = " ".join(value.split())
        return repr(flat if len(flat) <= 160 else flat[:157] + "...")
    return json.dumps(value, sort_keys=True)


def render_text(report: DriftReport) -> str:
    lines = []
    if not report.drifted:
        lines.append(f"No drift: {report.target} matches {report.schema}.")
    elif report.unverified:
        lines.append(f"Not verified: {report.target} matches {report.schema} in every object pgproof "
                     f"compares, but not compared: {report.diff.not_compared.summary()} (see the note).")
    else:
        count = len(report.diff.differences)
        lines.append(
            f"Drift: {report.target} differs from {report.schema} in {count} object(s)."
        )
        lines.extend(f"  {one_line(describe(d))}" for d in report.diff.differences)
        if report.diff.gaps:
            lines.append("")
            lines.append("Gaps: pgproof cannot write these changes; make them by hand (see docs/migra-gaps.md):")
            lines.extend(f"  {g.code}: {one_line(g.message)}" for g in report.diff.gaps)
        if report.diff.statements:
            lines.append("")
            rest = " the rest of it" if report.diff.gaps else " it"
            lines.append(f"Statements that would remove{rest} (pgproof diff):")
            lines.append(render_script(report.diff.statements).rstrip())
    lines.extend(f"note: {note}" for note in report.diff.notes)
    return "\n".join(lines) + "\n"


def as_dict(report: DriftReport) -> dict[str, Any]:
    return {
        "format": JSON_FORMAT,
        "target": report.target,
        "schema": report.schema,
        "drifted": report.drifted,
        "target_fingerprint": report.diff.actual.fingerprint(),
        "desired_fingerprint": report.diff.desired.fingerprint(),
        "differences": [
            {
                "kind": d.kind,
                "object": d.key,
                "status": d.status,
                "changed": d.changed_fields,
                "desired": d.desired,
                "actual": d.actual,
                "description": describe(d),
            }
            for d in report.diff.differences
        ],
        "statements": [{"sql": s.render(), "origin": s.origin} for s in report.diff.statements],
        "gaps": [gaps.as_dict(g) for g in report.diff.gaps],
        "notes": list(report.diff.notes),
        "not_compared": report.diff.not_compared.as_dict(),
    }


def render_json(report: DriftReport) -> str:
    return json.dumps(as_dict(report), indent=2, sort_keys=False) + "\n"


def render_markdown(report: DriftReport) -> str:
    target = markdown_target(report.target)  # never a host in a job summary or PR comment
    target = target[:1].upper() + target[1:]  # it starts a sentence
    if not report.drifted:
        out = [f"### ✅ No drift\n\n{target} matches {markdown_code(report.schema)}.\n"]
    elif report.unverified:
        out = [f"### ⚠️ Not verified: not compared: {markdown(report.diff.not_compared.summary())}\n\n"
               f"{target} matches {markdown_code(report.schema)} in every object pgproof compares.\n"]
    else:
        out = [
            f"### ⚠️ Drift: {len(report.diff.differences)} object(s) differ\n",
            f"{target} differs from {markdown_code(report.schema)}.\n",
            "| | kind | object | what |",
            "| --- | --- | --- | --- |",
        ]
        icons = {"missing": "➕ missing", "extra": "➖ extra", "different": "✏️ different"}
        for d in report.diff.differences:
            what = describe(d).split(": ", 1)[-1]
            out.append(
                f"| {icons[d.status]} | {d.kind} | {markdown_code(d.key, in_table=True)} | {markdown(what)} |"
            )
        out.append("")
        if report.diff.gaps:
            out += [
                "**Gaps**: pgproof cannot write these changes; make them by hand (see docs/migra-gaps.md).\n",
                "| gap | object | why |",
                "| --- | --- | --- |",
            ]
            out += [
                f"| `{g.code}` | {g.kind} {markdown_code(g.key, in_table=True)} | {markdown(g.message.split(': ', 1)[-1])} |"
                for g in report.diff.gaps
            ]
            out.append("")
        if report.diff.statements:
            out += [
                "<details><summary>Statements that would remove the drift</summary>\n",
                markdown_fence(render_script(report.diff.statements).rstrip(), "sql"),
                "</details>\n",
            ]
    out += [f"> {markdown(note)}\n" for note in report.diff.notes]
    return "\n".join(out)


RENDERERS = {"text": render_text, "json": render_json, "markdown": render_markdown}
