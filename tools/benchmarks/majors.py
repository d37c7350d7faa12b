"""Time `pgproof diff` and `pgproof plan` against the legacy fixture on each major, with
the scratch server `--scratch auto` chooses for it.

For each major that auto finds here (18, 16, the machine's Debian major), a target server
of that major holds tests/fixtures/legacy.sql; the real CLI runs `--timings diff` and
`--timings plan` several times; the median total and scratch start are printed, with
the provider auto chose, and each major's ratio to 18 (the baseline, same run). Each
command runs cold (`--no-cache`: a scratch server started and removed) and warm (a cache
folder of its own, filled by one run first).

    .venv/bin/python tools/benchmarks/majors.py [runs] [major,major...]
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
from pgproof.scratch import auto

REPO = Path(__file__).resolve().parents[2]
MAJORS = (18, 17, 16, 15)


def run(args: list[str], cache_dir: str) -> tuple[float, dict[str, float]]:
    start = time.perf_counter()
    env = {**os.environ, "PGPROOF_CACHE_DIR": cache_dir}
    done = subprocess.run([sys.executable, "-m", "pgproof", "--timings", *args],
                          cwd=REPO, capture_output=True, text=True, check=False, env=env)
    total = time.perf_counter() - start
    if done.returncode not in (0, 2):
        raise SystemExit(f"pgproof {' '.join(args)} failed: {done.stderr.strip()}")
    return total, {n.strip(): float(s) for n, s in re.findall(r"timing: (.+?)\s+([\d.]+) s", done.stderr)}


def measure(major: int, runs: int) -> dict[str, tuple[float, float]] | None:
    """Median total and scratch start of each command, cold (`--no-cache`) and warm (the
    cache filled by one run first)."""
    choice = auto.choose(major)
    if choice is None or choice.installation is None:
        return None
    with scratch.cluster_server(choice.installation, choice.kind) as server, server.database() as target, \
            tempfile.TemporaryDirectory() as folder:
        conn = psycopg2.connect(db.libpq_url(target))
        conn.autocommit = True
        conn.cursor().execute((REPO / "tests" / "fixtures" / "legacy.sql").read_text())
        conn.close()
        cache = f"{folder}/cache"
        result = {}
        for name, args in (("diff", ["diff", "--db", target]),
                           ("plan", ["plan", "--db", target, "--out", f"{folder}/plan.sql"])):
            run(args, cache)  # fills the cache for the warm runs
            for way, extra in (("cold", ["--no-cache"]), ("warm", [])):
                totals, starts = [], []
                for _ in range(runs):
                    total, phases = run([*args, *extra], cache)
                    totals.append(total)
                    starts.append(phases.get("scratch start", 0.0))
                result[f"{name} {way}"] = (statistics.median(totals), statistics.median(starts))
        print(f"PostgreSQL {major}: auto chose {choice.kind} ({choice.installation.label}): "
              + ", ".join(f"{n} {t:.2f} s (scratch start {s:.2f} s)" for n, (t, s) in result.items()), flush=True)
        return result


COLUMNS = ("diff cold", "diff warm", "plan cold", "plan warm")


def main(runs: int, majors: tuple[int, ...] = MAJORS) -> None:
    found = {major: measure(major, runs) for major in majors}
    base = found.get(18)
    print(f"\nmedian of {runs} runs, seconds (ratio to PostgreSQL 18); cold: --no-cache, with its scratch start")
    print("| major | " + " | ".join(COLUMNS) + " | cold scratch start (diff) |")
    print("| --- |" + " ---: |" * (len(COLUMNS) + 1))
    for major, result in found.items():
        if result is None:
            print(f"| {major} | not here: {auto.found(major)} |" + " |" * len(COLUMNS))
            continue
        cells = [f"{result[c][0]:.2f}" + (f" ({result[c][0] / base[c][0]:.2f}x)" if base else "") for c in COLUMNS]
        print(f"| {major} | " + " | ".join(cells) + f" | {result['diff cold'][1]:.2f} |")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 3,
         tuple(int(m) for m in sys.argv[2].split(",")) if len(sys.argv) > 2 else MAJORS)
