"""What keeping a dropped column's values costs (docs/kept-data.md): a table of `rows`
rows (1M by default) with a ~60-character text column, dropped by

* plain: `pgproof apply` of a plan whose schema opts the column out
  (`-- pgproof: drop-without-archive`), i.e. `ALTER TABLE ... DROP COLUMN`;
* kept: `pgproof apply` of the plan that archives the values first.

Each on a clone of one seed, on the embedded scratch server. Prints the apply times, the
archive step's own time and its rows per second, and the longest statement run under the
drop's lock (the catch-up of rows written since the archive began).

    .venv/bin/python tools/benchmarks/kept_drop.py [rows]
"""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psycopg2

from pgproof import scratch
from pgproof.core import db

REPO = Path(__file__).resolve().parents[2]
SCHEMA = "CREATE TABLE public.items (id bigint PRIMARY KEY, title text NOT NULL, body text);\n"
AFTER = "CREATE TABLE public.items (id bigint PRIMARY KEY, title text NOT NULL);\n"


def seed(url: str, rows: int) -> None:
    conn = psycopg2.connect(db.libpq_url(url))
    conn.autocommit = True
    cur = conn.cursor()
    cur.execute(SCHEMA)
    cur.execute(f"INSERT INTO public.items SELECT g, 'item ' || g, md5(g::text) || md5((g * 7)::text) "
                f"FROM generate_series(1, {rows}) g")
    cur.execute("VACUUM ANALYZE public.items")
    conn.close()


def apply(url: str, server_url: str, schema: str, tmp: Path) -> tuple[float, str]:
    (tmp / "after.sql").write_text(schema)
    plan = tmp / "plan.sql"
    cmd = [sys.executable, "-m", "pgproof"]
    subprocess.run([*cmd, "plan", "--db", url, "--scratch", server_url, "--schema", str(tmp / "after.sql"),
                    "--out", str(plan)], cwd=REPO, check=True, capture_output=True, text=True)
    started = time.monotonic()
    done = subprocess.run([*cmd, "apply", str(plan), "--db", url, "--yes", "--allow-hazards", "DATA_LOSS"],
                          cwd=REPO, check=True, capture_output=True, text=True)
    return time.monotonic() - started, done.stderr


def main(rows: int) -> None:
    with scratch.embedded_server() as server, server.database() as template:
        seed(template, rows)
        name = db.database_name(template)
        with server.database(template=name) as plain_db, tempfile.TemporaryDirectory() as tmp:
            plain_s, _ = apply(plain_db, server.url, AFTER + "-- pgproof: drop-without-archive public.items.body\n",
                               Path(tmp))
        with server.database(template=name) as kept_db, tempfile.TemporaryDirectory() as tmp:
            kept_s, said = apply(kept_db, server.url, AFTER, Path(tmp))
            steps = {int(n): float(s) for n, s in re.findall(r"statement (\d+) of \d+: [^\n]*?done in ([\d.]+) s", said)}
    archive_s, catch_up_s = steps[1], steps.get(3, 0.0)
    print(f"rows: {rows:,}")
    print(f"plain DROP COLUMN apply:   {plain_s:.2f} s")
    print(f"kept apply:                {kept_s:.2f} s (+{kept_s - plain_s:.2f} s)")
    print(f"archive step:              {archive_s:.2f} s, {rows / archive_s:,.0f} rows/s")
    print(f"catch-up under the lock:   {catch_up_s * 1000:.0f} ms")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000)
