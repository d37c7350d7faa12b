"""Time `pgproof diff` and `pgproof plan` against the legacy fixture on each major, with
the scratch server `--scratch auto` chooses for it.

For each major that auto finds here (18, 16, the machine's Debian major), a target server
of that major holds tests/fixtures/legacy.sql; the real CLI runs `--timings diff` and
`--timings plan` several times; the median total and scratch start are printed, with
the provider auto chose, and each major's ratio to 18 (the baseline, same run).

    .venv/bin/python tools/benchmarks/majors.py [runs] [major,major...]
"""

from __future__ import annotations

import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psycopg2

from pgproof import db, scratch
from pgproof.scratch import auto

REPO = Path(__file__).resolve().parents[2]
MAJORS = (18, 17, 16, 15)


def run(args: list[str]) -> tuple[float, dict[str, float]]:
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "pgproof", "--timings", *args],
                          cwd=REPO, capture_output=True, text=True, check=False)
    total = time.perf_counter() - start
    if done.returncode not in (0, 2):
        raise SystemExit(f"pgproof {' '.join(args)} failed: {done.stderr.strip()}")
    return total, {n.strip(): float(s) for n, s in re.findall(r"timing: (.+?)\s+([\d.]+) s", done.stderr)}


def measure(major: int, runs: int) -> dict[str, tuple[float, float]] | None:
    choice = auto.choose(major)
    if choice is None or choice.installation is None:
        return None
    with scratch.cluster_server(choice.installation, choice.kind) as server, server.database() as target:
        conn = psycopg2.connect(db.libpq_url(target))
        conn.autocommit = True
        conn.cursor().execute((REPO / "tests" / "fixtures" / "legacy.sql").read_text())
        conn.close()
        result = {}
        with tempfile.TemporaryDirectory() as folder:
            for name, args in (("diff", ["diff", "--db", target]),
                               ("plan", ["plan", "--db", target, "--out", f"{folder}/plan.sql"])):
                totals, starts = [], []
                for _ in range(runs):
                    total, phases = run(args)
                    totals.append(total)
                    starts.append(phases.get("scratch start", 0.0))
                result[name] = (statistics.median(totals), statistics.median(starts))
        print(f"PostgreSQL {major}: auto chose {choice.kind} ({choice.installation.label}): "
              + ", ".join(f"{n} {t:.2f} s (scratch start {s:.2f} s)" for n, (t, s) in result.items()), flush=True)
        return result


def main(runs: int, majors: tuple[int, ...] = MAJORS) -> None:
    found = {major: measure(major, runs) for major in majors}
    base = found.get(18)
    print(f"\nmedian of {runs} runs, seconds (ratio of the total to PostgreSQL 18)")
    print("| major | diff total | diff scratch start | plan total | plan scratch start |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for major, result in found.items():
        if result is None:
            print(f"| {major} | not here: {auto.found(major)} | | | |")
            continue
        cells = []
        for name in ("diff", "plan"):
            total, start = result[name]
            ratio = f" ({total / base[name][0]:.2f}x)" if base else ""
            cells += [f"{total:.2f}{ratio}", f"{start:.2f}"]
        print(f"| {major} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 3,
         tuple(int(m) for m in sys.argv[2].split(",")) if len(sys.argv) > 2 else MAJORS)
