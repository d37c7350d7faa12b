"""Time `pgproof diff` against the legacy fixture, phase by phase.

Starts a target server (embedded) holding tests/fixtures/legacy.sql, then runs the real
CLI `pgproof --timings diff --db URL` several times with the default embedded scratch,
and prints the median of each phase and of the whole process.

    .venv/bin/python tools/benchmarks/diff_phases.py [runs]
"""

from __future__ import annotations

import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

import psycopg2

from pgproof import db, scratch

REPO = Path(__file__).resolve().parents[2]


def main(runs: int) -> None:
    with scratch.embedded_server() as target_server:
        with target_server.database() as target:
            conn = psycopg2.connect(db.libpq_url(target))
            conn.autocommit = True
            conn.cursor().execute((REPO / "tests" / "fixtures" / "legacy.sql").read_text())
            conn.close()
            phases: dict[str, list[float]] = {}
            totals = []
            for _ in range(runs):
                start = time.perf_counter()
                done = subprocess.run(
                    [sys.executable, "-m", "pgproof", "--timings", "diff", "--db", target],
                    cwd=REPO, capture_output=True, text=True, check=True,
                )
                totals.append(time.perf_counter() - start)
                for name, seconds in re.findall(r"timing: (.+?)\s+([\d.]+) s", done.stderr):
                    phases.setdefault(name.strip(), []).append(float(seconds))
    total = statistics.median(totals)
    print(f"pgproof diff against the legacy fixture, median of {runs} runs")
    for name, values in phases.items():
        median = statistics.median(values)
        print(f"  {name:<14} {median:6.3f} s  ({median / total:5.1%})")
    accounted = sum(statistics.median(v) for v in phases.values())
    print(f"  {'python + imports':<14} {total - accounted:6.3f} s  ({(total - accounted) / total:5.1%})")
    print(f"  {'total':<14} {total:6.3f} s")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5)
