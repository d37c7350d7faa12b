"""A rough estimate of how long applying a plan takes, from the plan's own row counts,
for apply's summary before its question. Only an order of magnitude: nothing decides on it.

It is rows × a per-row cost measured once (docs/benchmarks.md, "Estimated time"):
a data fix's row (ranked, archived and changed in short batches) costs `FIX_ROW_S`; a row
a statement reads whole (an index build, a constraint validation: the row count its
hazard names, "(8,000 rows)") costs `SCAN_ROW_S`; every statement `STATEMENT_S` more. Lock
waits, a busy server and a table's width are not in it: it says "about", and the summary
labels it an estimate.
"""

from __future__ import annotations

import re

from pgproof.core.hazard import HazardKind
from pgproof.core.plan_file import Plan

FIX_ROW_S = 20e-6  # data fixes of the benchmark: 110,000 rows in 1.9 s, 129,268 in 2.0 s
SCAN_ROW_S = 6e-6  # CREATE INDEX CONCURRENTLY of 1M rows on a text column: 5.7 s (2 cores, loaded)
STATEMENT_S = 0.05  # a statement's own round trips, catalog read and record after it

HOW = "a rough estimate: the plan's row counts times a per-row cost measured once, lock waits not included"

_SCANS = (HazardKind.INDEX_BUILD, HazardKind.CONSTRAINT_VALIDATION)
_ROWS = re.compile(r"\((\d[\d,]*) rows\)")


def scanned_rows(detail: str) -> int | None:
    """The row count a hazard's detail names ("builds index i on t (8,000 rows)")."""
    found = _ROWS.search(detail)
    return int(found.group(1).replace(",", "")) if found else None


def seconds(plan: Plan) -> float:
    """The estimated time of applying `plan`, in seconds (see the module's docstring)."""
    total = sum(f.rows for f in plan.fixes) * FIX_ROW_S + len(plan.statements) * STATEMENT_S
    for statement in plan.statements:
        rows = [scanned_rows(h.detail) or 0 for h in statement.hazards if h.kind in _SCANS]
        total += max(rows, default=0) * SCAN_ROW_S
    return total


def describe(value: float) -> str:
    """"about 2 s", "about 3 min", "under 1 s": no more precision than an estimate has."""
    if value < 1:
        return "under 1 s"
    if value < 90:
        return f"about {value:.0f} s"
    if value < 90 * 60:
        return f"about {value / 60:.0f} min"
    return f"about {value / 3600:.1f} h"
