"""The plan file: what will run, for review, and exactly what `apply` runs.

A plan is data (`Plan`); `render` turns it into a `.sql` file that people read and psql
could run. The file ends with one comment line holding the same plan as JSON; `read`
loads that line, renders it again, and refuses the file unless the rendering is
identical, so neither the SQL people reviewed nor the data apply executes can be edited
unnoticed. `render_step` is the one function that writes a step's SQL: the plan file
shows it and `apply` executes it.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from pgproof.core.escape import comment
from pgproof.core.errors import ConfigError, PgProofError, Refused
from pgproof.core.hazard import Hazard, HazardKind
from pgproof.core.statement import Statement
from pgproof.core.transactions import groups, summaries

FORMAT_VERSION = 2  # 2: each statement carries its transaction group
DATA_PREFIX = "-- pgproof-plan-data: "
FORWARD, ROLLBACK = "forward", "rollback"


@dataclass(frozen=True)
class FixStep:
    """A data fix the plan runs, as it was when the plan was made."""

    name: str
    phase: str  # "before" or "after" the statements
    rows: int  # rows its check counted when the plan was made
    checksum: str  # sha256 of the fix file: apply refuses an edited fix
    resolves: tuple[str, ...] = ()  # the unique keys whose duplicates it removes


@dataclass(frozen=True)
class Plan:
    kind: str  # FORWARD or ROLLBACK
    created: str  # ISO 8601, UTC
    target: str  # masked URL of the database the plan was made against
    target_fingerprint: str  # catalog fingerprint the target must still have
    desired_fingerprint: str  # catalog fingerprint the target will have afterwards
    schema_source: str  # sha256 of the schema files
    target_version: str
    scratch_version: str
    statements: tuple[Statement, ...]
    fixes: tuple[FixStep, ...] = ()
    rollback_file: str | None = None
    irreversible: tuple[str, ...] = ()  # what a rollback cannot bring back
    notes: tuple[str, ...] = ()
    rehearsal: tuple[str, ...] = ()  # what the proof rehearsed with the target's rows (header lines)
    format: int = FORMAT_VERSION

    @property
    def fixes_before(self) -> list[FixStep]:
        return [f for f in self.fixes if f.phase == "before"]

    @property
    def fixes_after(self) -> list[FixStep]:
        return [f for f in self.fixes if f.phase == "after"]

    @property
    def hazard_codes(self) -> list[str]:
        """What --allow-hazards must name: every hazard the plan's own fixes do not resolve,
        and DATA_FIX when a data fix changes rows (a reviewer allows it like any hazard)."""
        codes = {h.kind.code for s in self.statements for h in s.hazards if h.needs_ack}
        return sorted(codes | ({HazardKind.DATA_FIX.code} if self.fix_hazards else set()))

    @property
    def fix_hazards(self) -> list[tuple[FixStep, Hazard]]:
        """A DATA_FIX hazard for each data fix that has rows to change."""
        return [(f, Hazard(HazardKind.DATA_FIX, f"data fix {f.name} ({f.phase} the statements) changes "
                                                f"{f.rows:,} rows its check counted"))
                for f in self.fixes if f.rows]

    @property
    def resolved_hazards(self) -> list[tuple[int, Hazard]]:
        return [(n, h) for n, s in enumerate(self.statements, start=1) for h in s.hazards if not h.needs_ack]

    @property
    def empty(self) -> bool:
        return not self.statements and not any(f.rows for f in self.fixes)

    @property
    def checksum(self) -> str:
        return "sha256:" + hashlib.sha256(render_body(self).encode()).hexdigest()


# --- rendering: the one place a plan becomes text ---------------------------------------

def render_step(statement: Statement) -> str:
    """A statement with its timeouts, as shown in the plan and executed by apply."""
    scope = "SET LOCAL" if statement.transactional else "SET"
    lines = []
    if statement.lock_timeout_ms is not None:
        lines.append(f"{scope} lock_timeout = '{statement.lock_timeout_ms}ms';")
    if statement.statement_timeout_ms is not None:
        lines.append(f"{scope} statement_timeout = '{statement.statement_timeout_ms}ms';")
    lines.append(statement.render())
    return "\n".join(lines)


def render_body(plan: Plan) -> str:
    out: list[str] = []
    total = len(plan.statements)
    plan_summaries = summaries(plan.statements)
    for fix in plan.fixes_before:
        out.append(_fix_block(fix))
    for group, summary in zip(groups(plan.statements), plan_summaries):
        out.append(f"-- {comment(summary.describe(len(plan_summaries)))}")
        if group[0][1].transactional:
            out.append("BEGIN;")
        for number, statement in group:
            where = "in the transaction" if statement.transactional else "outside a transaction"
            hazards = ", ".join(sorted({h.kind.code for h in statement.hazards if h.needs_ack})) or "none"
            resolved = sorted({h.kind.code for h in statement.hazards if not h.needs_ack})
            if resolved:
                hazards += f" (resolved by a data fix: {', '.join(resolved)})"
            out.append(f"-- statement {number} of {total} ({comment(statement.origin)}, {where}); hazards: {hazards}")
            out.append(render_step(statement))
        if group[0][1].transactional:
            out.append("COMMIT;")
        out.append("")
    for fix in plan.fixes_after:
        out.append(_fix_block(fix))
    return "\n".join(out).rstrip() + "\n"


def _fix_block(fix: FixStep) -> str:
    return (
        f"-- data fix {comment(fix.name)} ({fix.phase} the statements): {fix.rows:,} rows to fix\n"
        f"--   run by `pgproof apply` in short batches (by hand: `pgproof fixes run`); file {fix.checksum}\n"
    )


def render(plan: Plan) -> str:
    """The whole plan file."""
    title = "rollback plan" if plan.kind == ROLLBACK else "plan"
    head = [
        f"-- pgproof {title}, format {plan.format}",
        f"-- created: {plan.created}",
        f"-- target: {comment(plan.target)} (PostgreSQL {comment(plan.target_version)}); "
        f"scratch: PostgreSQL {comment(plan.scratch_version)}",
        f"-- target fingerprint: {plan.target_fingerprint}",
        f"-- desired fingerprint: {plan.desired_fingerprint}",
        f"-- schema source: {plan.schema_source}",
        f"-- body checksum: {plan.checksum}",
    ]
    if plan.rollback_file:
        head.append(f"-- rollback: {comment(plan.rollback_file)} (apply it with `pgproof apply` to return)")
    head.append("--")
    codes = plan.hazard_codes
    if codes:
        head.append(f"-- hazards (apply refuses them unless run with --allow-hazards {','.join(codes)}):")
        for number, statement in enumerate(plan.statements, start=1):
            for hazard in statement.hazards:
                if hazard.needs_ack:
                    head.append(f"--   statement {number}: {comment(hazard.describe())}")
        head += [f"--   {comment(hazard.describe())}" for _, hazard in plan.fix_hazards]
    else:
        head.append("-- hazards: none" + (" to acknowledge" if plan.resolved_hazards else ""))
    if plan.resolved_hazards:
        head.append("-- hazards the plan's own data fixes resolve (no acknowledgement needed):")
        head += [f"--   statement {n}: {comment(h.describe())}" for n, h in plan.resolved_hazards]
    if plan.fixes:
        head.append("-- data fixes (rows each will touch):")
        head += [f"--   {comment(f.name)} ({f.phase}): {f.rows:,} rows" for f in plan.fixes]
    if plan.irreversible:
        head.append("-- what this cannot bring back:")
        head += [f"--   {comment(line)}" for line in plan.irreversible]
    if plan.rehearsal:
        head.append(f"-- rehearsal: {comment(plan.rehearsal[0])}")
        head += [f"--   {comment(line)}" for line in plan.rehearsal[1:]]
    head += [f"-- note: {comment(note)}" for note in plan.notes]
    if plan.empty:
        head.append("-- nothing to do: the target already matches the desired schema")
    data = json.dumps(to_data(plan), sort_keys=True, separators=(",", ":"))
    return "\n".join(head) + "\n\n" + render_body(plan) + "\n" + DATA_PREFIX + data + "\n"


# --- data ------------------------------------------------------------------------------

def to_data(plan: Plan) -> dict[str, Any]:
    data = asdict(plan)
    data["statements"] = [
        {**asdict(s), "hazards": [_hazard_data(h) for h in s.hazards]}
        for s in plan.statements
    ]
    if not data["rehearsal"]:
        del data["rehearsal"]  # plans made before the field existed read back the same
    else:
        data["rehearsal"] = list(data["rehearsal"])
    for fix in data["fixes"]:
        if not fix["resolves"]:
            del fix["resolves"]  # plans made before the field existed read back the same
        else:
            fix["resolves"] = list(fix["resolves"])
    return data


def _hazard_data(hazard: Hazard) -> dict[str, Any]:
    data = {"code": hazard.kind.code, "detail": hazard.detail}
    if hazard.resolved_by:
        data["resolved_by"] = hazard.resolved_by
    return data


def from_data(data: dict[str, Any]) -> Plan:
    statements = tuple(
        Statement(**{
            **s,
            "hazards": tuple(Hazard(HazardKind[h["code"]], h["detail"], resolved_by=h.get("resolved_by"))
                             for h in s["hazards"]),
        })
        for s in data.pop("statements")
    )
    fixes = tuple(FixStep(**{**f, "resolves": tuple(f.get("resolves", ()))}) for f in data.pop("fixes"))
    return Plan(
        **{**data, "statements": statements, "fixes": fixes,
           "irreversible": tuple(data["irreversible"]), "notes": tuple(data["notes"]),
           "rehearsal": tuple(data.get("rehearsal", ()))}
    )


def file_checksum(path: Path) -> str:
    """The checksum by which a plan pins a data fix file."""
    return "sha256:" + hashlib.sha256(Path(path).read_bytes()).hexdigest()


def check_writable(path: Path) -> None:
    """Fail before any work when `path` cannot be written (missing folder, a file in the
    way, no permission), in one sentence."""
    folder = path.parent if str(path.parent) else Path(".")
    if path.is_dir():
        raise ConfigError(f"--out {path} is a folder; give a file name like {path / 'plan.sql'}.")
    if not folder.is_dir():
        what = "is a file, not a folder" if folder.exists() else "does not exist"
        raise ConfigError(f"cannot write the plan to {path}: {folder} {what}; create the folder or choose another --out.")
    if not os.access(folder, os.W_OK):
        raise ConfigError(f"cannot write the plan to {path}: {folder} is not writable; choose another --out.")


def rollback_path(out: Path) -> Path:
    """Where the rollback of the plan written to `out` goes: beside it, FILE.rollback.sql."""
    return out.with_name(out.stem + ".rollback" + (out.suffix or ".sql"))


def pair(forward: Plan, back: Plan) -> bool:
    """`back` takes the target from where `forward` leaves it to where `forward` found it."""
    return (forward.kind == FORWARD and back.kind == ROLLBACK
            and back.target_fingerprint == forward.desired_fingerprint
            and back.desired_fingerprint == forward.target_fingerprint)


def way_back(plan: Plan, path: Path) -> Path | None:
    """The file beside `path` that leads back from `plan`: a plan's rollback file; for a
    rollback plan FILE.rollback.sql, its forward plan FILE.sql."""
    if plan.kind == FORWARD:
        return path.with_name(plan.rollback_file) if plan.rollback_file else None
    stem = path.name.removesuffix(path.suffix)
    if not stem.endswith(".rollback"):
        return None
    return path.with_name(stem.removesuffix(".rollback") + path.suffix)


def check_rollback_free(out: Path) -> None:
    """Refuse, before any work, to let `plan --out out` overwrite a rollback file that is
    not the rollback of the plan now at `out` (a rollback file only ever goes with its
    own plan, and the pair is replaced together)."""
    back_path = rollback_path(out)
    if not back_path.exists():
        return
    back: Plan | None
    forward: Plan | None
    try:
        back = read(back_path)
        forward = read(out) if out.exists() else None
    except PgProofError:
        back = forward = None
    if forward is not None and back is not None and forward.rollback_file == back_path.name and pair(forward, back):
        return
    raise Refused(
        f"{back_path} is not the rollback of the plan at {out}, and `plan --out {out}` would overwrite it; "
        "move it away or choose another --out (the rollback of every applied plan is also kept in the "
        "target's history: `pgproof rollback ID`)."
    )


def write(plan: Plan, path: Path) -> None:
    try:
        path.write_text(render(plan), encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot write the plan to {path}: {exc.strerror}; choose another --out.") from None


def read(path: Path) -> Plan:
    """Load a plan file; refuse (exit 3) one that was edited after it was made."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise Refused(f"{path} is not a pgproof plan (it is not UTF-8 text); make one with `pgproof plan --out FILE`.") from None
    except OSError as exc:
        raise PgProofError(f"cannot read the plan {path}: {exc.strerror}; give the file `pgproof plan --out` wrote.") from None
    # The data line is the file's last line (a quoted name inside a statement can hold a
    # line that looks like one; the rendering check below covers everything above it).
    last = text.splitlines()[-1] if text.strip() else ""
    if not last.startswith(DATA_PREFIX):
        raise Refused(f"{path} is not a pgproof plan (its last line is not its data line);"
                      " make one with `pgproof plan --out FILE`.")
    try:
        data = json.loads(last[len(DATA_PREFIX):])
        if not isinstance(data, dict):
            raise TypeError(f"it holds a JSON {type(data).__name__}, not an object")
        if data.get("format") != FORMAT_VERSION:
            raise Refused(f"{path} is a plan of format {data.get('format')};"
                          f" this pgproof reads format {FORMAT_VERSION}: plan again.")
        plan = from_data(data)
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise Refused(f"{path} has a damaged data line ({type(exc).__name__}: {str(exc)[:120]});"
                      " make the plan again with `pgproof plan`.") from None
    if render(plan) != text:
        raise Refused(
            f"{path} was edited after it was made (it no longer matches its own checksum and data); "
            "change schema/schema.sql instead and make a new plan."
        )
    return plan
