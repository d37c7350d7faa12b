"""Writer stalls while uq_segments_video_text is built: the seed's way against pgproof's.

Same data, same run: 1.1M segments (about 190-character texts, no duplicates: the data
fixes have run), all of schema.sql's indexes except the unique one. A writer inserts
segments continuously in autocommit; we record how long each insert takes.

* seed: `ALTER TABLE segments ADD CONSTRAINT uq_segments_video_text UNIQUE (video_id, text)`
  (the old Alembic migration 002), which holds an ACCESS EXCLUSIVE lock for the whole
  index build;
* pgproof: `pgproof plan` then `pgproof apply` (CREATE UNIQUE INDEX CONCURRENTLY,
  then ADD CONSTRAINT ... USING INDEX), timed from the start of apply.

Each run starts from an identical clone of the seeded database.

    .venv/bin/python tools/benchmarks/online_apply.py [rows]
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psycopg2

from pgproof.core import db
from pgproof import scratch

REPO = Path(__file__).resolve().parents[2]
SEED_SQL = "ALTER TABLE segments ADD CONSTRAINT uq_segments_video_text UNIQUE (video_id, text)"


def seed(url: str, rows: int) -> None:
    schema = (REPO / "schema" / "schema.sql").read_text()
    schema = schema.replace(",\n    CONSTRAINT uq_segments_video_text UNIQUE (video_id, text)", "")
    conn = psycopg2.connect(db.libpq_url(url))
    conn.autocommit = True
    cur = conn.cursor()
    cur.execute(schema)
    # ~190 characters: a 32-character unique head and transcript-like words.
    cur.execute(f"""
        INSERT INTO segments (video_id, start_sec, end_sec, text, speaker_label)
        SELECT 'video_' || (g % 20000), g * 4.0, g * 4.0 + 3.5,
               md5(g::text) || ' and that is why we eat meat, drink water, sleep well, avoid '
               || 'plants that fight back, and keep the protein high for the whole week ahead.',
               CASE WHEN g % 7 = 0 THEN 'GUEST' ELSE 'Chaffee' END
        FROM generate_series(1, {rows}) g""")
    cur.execute("VACUUM ANALYZE segments")
    conn.close()


class Writer(threading.Thread):
    """Inserts segments one by one, recording each insert's duration."""

    def __init__(self, url: str) -> None:
        super().__init__(daemon=True)
        self.url = url
        self.stop = threading.Event()
        self.latencies: list[tuple[float, float]] = []  # (started, seconds)

    def run(self) -> None:
        conn = psycopg2.connect(db.libpq_url(self.url))
        conn.autocommit = True
        cur = conn.cursor()
        n = 0
        while not self.stop.is_set():
            n += 1
            started = time.monotonic()
            cur.execute(
                "INSERT INTO segments (video_id, start_sec, end_sec, text) VALUES ('live', %s, %s, %s)",
                (n, n + 1, f"live segment number {n}"),
            )
            self.latencies.append((started, time.monotonic() - started))
        conn.close()

    def longest_stall(self, start: float, end: float) -> float:
        return max((s for t, s in self.latencies if start <= t <= end), default=0.0)

    def count(self, start: float, end: float) -> int:
        return sum(1 for t, _ in self.latencies if start <= t <= end)


def measure(url: str, change) -> tuple[float, float, int]:
    writer = Writer(url)
    writer.start()
    time.sleep(1.0)  # the writer is in its stride
    start = time.monotonic()
    change()
    end = time.monotonic()
    time.sleep(0.5)
    writer.stop.set()
    writer.join()
    return end - start, writer.longest_stall(start, end + 0.5), writer.count(start, end)


def main(rows: int) -> None:
    with scratch.embedded_server() as server:
        with server.database() as template:
            t = time.monotonic()
            seed(template, rows)
            print(f"seeded {rows:,} segments in {time.monotonic() - t:.1f} s")
            template_name = db.database_name(template)
            with server.database(template=template_name) as seed_db:
                def seed_way() -> None:
                    conn = psycopg2.connect(db.libpq_url(seed_db))
                    conn.autocommit = True
                    conn.cursor().execute(SEED_SQL)
                    conn.close()
                seed_time, seed_stall, seed_inserts = measure(seed_db, seed_way)
            with server.database(template=template_name) as ours_db, tempfile.TemporaryDirectory() as tmp:
                plan = Path(tmp) / "plan.sql"
                env_cmd = [sys.executable, "-m", "pgproof"]
                subprocess.run([*env_cmd, "plan", "--db", ours_db, "--scratch", server.url, "--out", str(plan)],
                               cwd=REPO, check=True, capture_output=True, text=True)

                def our_way() -> None:
                    subprocess.run([*env_cmd, "apply", str(plan), "--db", ours_db, "--yes",
                                    "--allow-hazards", "INDEX_BUILD"],
                                   cwd=REPO, check=True, capture_output=True, text=True)
                ours_time, ours_stall, ours_inserts = measure(ours_db, our_way)
    print(f"{'':<28}{'build (s)':>10}{'longest writer stall (ms)':>28}{'inserts during':>16}")
    print(f"{'seed: ADD CONSTRAINT UNIQUE':<28}{seed_time:>10.2f}{seed_stall * 1000:>28.1f}{seed_inserts:>16,}")
    print(f"{'pgproof plan + apply':<28}{ours_time:>10.2f}{ours_stall * 1000:>28.1f}{ours_inserts:>16,}")
    print(f"longest stall, pgproof / seed: {ours_stall / seed_stall:.4f}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1_100_000)
