"""The commands pgproof suggests, written so they run as printed where they are printed:
with `--env NAME`, or `--db` (and `--schema`) when the command being run got them as flags, since a flag
does not carry over to the next command the way DATABASE_URL does, and with `--yes`,
since a suggested apply is often run where no one can answer a question."""

from __future__ import annotations

import shlex
from dataclasses import dataclass
from pathlib import Path

from pgproof.core import db
from pgproof.core.settings import Settings


@dataclass(frozen=True)
class Hints:
    plan_file: str = "plan.sql"
    target: tuple[str, ...] = ()  # ("--db", URL) from a flag, or ("--env", NAME)
    schema: tuple[str, ...] = ()  # ("--schema", PATH) when the schema came from a flag

    @classmethod
    def of(cls, settings: Settings, plan_file: Path | str | None = None) -> Hints:
        if settings.environment and settings.sources.get("db") != "flag":
            target: tuple[str, ...] = ("--env", settings.environment)  # runs as printed: no URL at all
        elif settings.db_url and settings.sources.get("db") == "flag":
            target = ("--db", db.mask(settings.db_url))
        else:
            target = ()
        schema = ("--schema", str(settings.schema)) if settings.sources.get("schema") == "flag" else ()
        return cls(str(plan_file or "plan.sql"), target, schema)

    def apply(self, allow: str | None = None, plan_file: str | None = None) -> str:
        """`pgproof apply FILE ... --yes [--allow-hazards CODES]`."""
        hazards = ("--allow-hazards", allow) if allow else ()
        return command("apply", plan_file or self.plan_file, *self.target, "--yes", *hazards)

    def plan(self) -> str:
        return command("plan", *self.target, *self.schema, "--out", self.plan_file)

    def drift(self, schema: str) -> str:
        return command("drift", *self.target, "--schema", schema)

    def fixes(self, sub: str) -> str:
        return command("fixes", sub, *self.target, *(("--yes",) if sub == "run" else ()))


def command(*args: str) -> str:
    return " ".join(["pgproof", *(shlex.quote(a) for a in args)])
