"""Time `pgproof inspect` on the legacy fixture and on a generated 1,000-table database,
against `pg_dump --schema-only` of the same database in the same run (the baseline).

Each database lives on an embedded target server; `pgproof --timings inspect --db URL
--out FILE` runs as a real process with the default embedded scratch (the output is
proven there before it is written), then `pg_dump --schema-only` of the same database.

    .venv/bin/python tools/benchmarks/inspect_tables.py [runs] [tables]
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

from pgproof.core import db
from pgproof import scratch

REPO = Path(__file__).resolve().parents[2]


def many_tables(count: int) -> str:
    """`count` tables, each with a primary key, four columns, an index and a comment; every
    tenth references the one before it."""
    parts = []
    for n in range(count):
        reference = f", parent_id int REFERENCES public.t{n - 1:04d} (id)" if n % 10 == 9 else ""
        parts.append(
            f"CREATE TABLE public.t{n:04d} (id int PRIMARY KEY, name text NOT NULL, "
            f"created_at timestamptz DEFAULT now(), score numeric(10, 2){reference});\n"
            f"CREATE INDEX t{n:04d}_name ON public.t{n:04d} (name);\n"
            f"COMMENT ON TABLE public.t{n:04d} IS 'table {n}';\n"
        )
    return "".join(parts)


def timed(command: list[str]) -> tuple[float, str]:
    start = time.perf_counter()
    done = subprocess.run(command, cwd=REPO, capture_output=True, text=True, check=True)
    return time.perf_counter() - start, done.stderr


def measure(name: str, url: str, runs: int) -> None:
    inspect_s, dump_s, phases = [], [], {}
    with tempfile.TemporaryDirectory(prefix="pgproof-bench-") as folder:
        out = Path(folder) / "schema.sql"
        for _ in range(runs):
            seconds, err = timed([sys.executable, "-m", "pgproof", "--timings", "inspect", "--db", url,
                                  "--out", str(out)])
            inspect_s.append(seconds)
            for phase, value in re.findall(r"timing: (.+?)\s+([\d.]+) s", err):
                phases.setdefault(phase.strip(), []).append(float(value))
            dump = str(scratch.bin_dir() / "pg_dump")
            dump_s.append(timed([dump, "--schema-only", f"--dbname={db.libpq_url(url)}",
                                 f"--file={Path(folder) / 'dump.sql'}"])[0])
        lines = out.read_text().count("\n")
    a, b = statistics.median(inspect_s), statistics.median(dump_s)
    print(f"{name}: inspect {a:.2f} s (median of {runs}, {lines:,} lines written), "
          f"pg_dump --schema-only {b:.2f} s, ratio {a / b:.1f}x")
    for phase, values in phases.items():
        print(f"  {phase:<14} {statistics.median(values):7.3f} s")


def main(runs: int, tables: int) -> None:
    with scratch.embedded_server() as server:
        with server.database() as legacy, server.database() as big:
            for url, sql in ((legacy, (REPO / "tests" / "fixtures" / "legacy.sql").read_text()),
                             (big, many_tables(tables))):
                conn = psycopg2.connect(db.libpq_url(url))
                conn.autocommit = True
                conn.cursor().execute(sql)
                conn.close()
            measure("legacy fixture", legacy, runs)
            measure(f"{tables:,} tables", big, runs)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 3, int(sys.argv[2]) if len(sys.argv) > 2 else 1000)
