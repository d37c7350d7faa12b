"""Time `pgproof diff` against the legacy fixture, phase by phase.

Starts a target server (embedded) holding tests/fixtures/legacy.sql, then runs the real
CLI `pgproof --timings diff --db URL` several times with the default embedded scratch,
cold (`--no-cache`) and warm, and prints the median of each phase and of the process.

    .venv/bin/python tools/benchmarks/diff_phases.py [runs]
"""

from __future__ import annotations

import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psycopg2

from pgproof.core import db
from pgproof import scratch

REPO = Path(__file__).resolve().parents[2]


def timed(target: str, extra: list[str], runs: int) -> tuple[dict[str, list[float]], list[float]]:
    phases: dict[str, list[float]] = {}
    totals = []
    for _ in range(runs):
        start = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-m", "pgproof", "--timings", "diff", "--db", target, *extra],
            cwd=REPO, capture_output=True, text=True, check=False,
        )
        if done.returncode not in (0, 2):
            raise SystemExit(f"pgproof diff failed: {done.stderr.strip()}")
        totals.append(time.perf_counter() - start)
        for name, seconds in re.findall(r"timing: (.+?)\s+([\d.]+) s", done.stderr):
            phases.setdefault(name.strip(), []).append(float(seconds))
    return phases, totals


def report(title: str, phases: dict[str, list[float]], totals: list[float]) -> None:
    """Each phase pgproof names (its own `total` is their sum), and what is outside it:
    the interpreter's start before pgproof's clock starts, and its exit."""
    wall = statistics.median(totals)
    print(title)
    print("| phase | seconds | share |")
    print("| --- | ---: | ---: |")
    named = {name: statistics.median(values) for name, values in phases.items() if name != "total"}
    for name, median in named.items():
        print(f"| {name} | {median:.3f} | {median / wall:.0%} |")
    outside = wall - statistics.median(phases.get("total", [sum(named.values())]))
    print(f"| interpreter start and exit, outside pgproof's clock | {outside:.3f} | {outside / wall:.0%} |")
    print(f"| **total** (the process, wall) | **{wall:.3f}** | |")


def main(runs: int) -> None:
    with scratch.embedded_server() as target_server, target_server.database() as target, \
            tempfile.TemporaryDirectory() as cache:
        conn = psycopg2.connect(db.libpq_url(target))
        conn.autocommit = True
        conn.cursor().execute((REPO / "tests" / "fixtures" / "legacy.sql").read_text())
        conn.close()
        os.environ["PGPROOF_CACHE_DIR"] = cache  # a cache of this run only, filled by one run first
        cold = timed(target, ["--no-cache"], runs)
        timed(target, [], 1)
        warm = timed(target, [], runs)
    report(f"pgproof diff against the legacy fixture, cold (--no-cache), median of {runs} runs", *cold)
    print()
    report(f"the same, warm (the cache filled by one run first), median of {runs} runs", *warm)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5)
