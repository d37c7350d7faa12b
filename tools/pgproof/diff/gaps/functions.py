"""Functions and procedures: bodies migra cannot see, and return types it cannot change.

* BEGIN ATOMIC bodies (SQL-standard bodies) leave `prosrc` empty, which is all migra
  compares, so a changed body is invisible to it: the desired pg_get_functiondef is
  emitted (CREATE OR REPLACE) at the end, when every table it reads exists.
* CREATE OR REPLACE cannot change a return type ("cannot change return type of existing
  function"): the function is dropped just before it is created again. Whatever still
  uses it (a view, a trigger) makes the DROP fail loudly rather than drop it too.
"""

from __future__ import annotations

from pgproof.read.catalog import Difference
from pgproof.core.statement import CATALOG, Statement
from pgproof.diff.gaps import touched
from pgproof.diff.gaps.script import Script


def changed(script: Script) -> None:
    for difference in script.of_kind("function"):
        if difference.status != "different" or difference.desired["definition"] is None:
            continue  # aggregates have no pg_get_functiondef
        creates = _migra_creations(script, difference)
        drop = _drop(difference) if _result_changed(difference) else None
        if creates:
            if drop and not script.find("function", difference.key, touched.DROP):
                script.add(script.before(creates[0]), drop)
        else:
            body = Statement(difference.desired["definition"].strip(), origin=CATALOG)
            script.add(script.epilogue, *([drop] if drop else []), body)
        script.claim(difference)


def _result_changed(difference: Difference) -> bool:
    return any(f in difference.changed_fields for f in ("result", "kind"))


def _migra_creations(script: Script, difference: Difference) -> list[int]:
    """migra's CREATE statements for this very overload: touches name the function
    without its arguments, so the signature line of the definition must match too."""
    signature = _first_line(difference.desired["definition"])
    return [
        i for i in script.find("function", difference.key, touched.CREATE, touched.REPLACE)
        if _first_line(script.migra[i].sql) == signature
    ]


def _first_line(sql: str) -> str:
    return sql.strip().splitlines()[0].strip() if sql.strip() else ""


def _drop(difference: Difference) -> Statement:
    kind = "PROCEDURE" if difference.actual["kind"] == "p" else "FUNCTION"
    return Statement(f"DROP {kind} {difference.key}", origin=CATALOG)
