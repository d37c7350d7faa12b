"""The data fixes against the old Alembic migration 002 ("the seed"), same data, same run.

Builds 1.1M segments on an embedded PostgreSQL 18 + pgvector (the legacy schema: every
index of segments the desired schema has except the unique one, ivfflat included), then
per round clones the database twice and runs, on one clone, the seed's way in one
transaction (temp table of ROW_NUMBER() over every row, DELETE ... WHERE id IN, one
UPDATE), and on the other `pgproof fixes run` (preflight, archive, batches). Prints
both times, their ratio, and the longest lock each held on segments.

    .venv/bin/python tools/benchmarks/fixes_vs_seed.py [--rounds 3] [--rows 1100000]
        [--embedding-share 0.02] [--jobs 2] [--locale en_US.UTF-8|C]

Data: texts of ~190 characters, 10% of the rows duplicates (a second copy of a random
segment, appended later as a re-ingestion would), 1 in 7 speaker labels NULL, and a 1536-
dimension embedding on --embedding-share of the rows (see docs/benchmarks.md for why 2%).

The server is durable like production (fsync, synchronous_commit, full_page_writes on)
and the database collation is en_US.UTF-8 when the machine has that locale (the default of
the official PostgreSQL images), else C; the output says which.

Locks: each run's own transactions are timed (the seed's one transaction; each fix batch),
and a probe connection keeps asking, with a short pause between tries, for a row lock on
a random segment the fixes will touch, recording the longest wait.
"""

from __future__ import annotations

import argparse
import random
import statistics
import threading
import time
from pathlib import Path

import psycopg2

from pgproof import commands, scratch
from pgproof.core import db, settings

REPO = Path(__file__).resolve().parents[2]
DURABLE = {
    "fsync": "on", "synchronous_commit": "on", "full_page_writes": "on",
    "shared_buffers": "256MB", "max_wal_size": "8GB", "checkpoint_timeout": "30min",
}
TEMPLATE = "bench_template"

SEED = [
    """CREATE TEMP TABLE segment_ranks AS
       SELECT id, video_id, text,
              ROW_NUMBER() OVER (PARTITION BY video_id, text ORDER BY id) AS row_num
       FROM segments""",
    "DELETE FROM segments WHERE id IN (SELECT id FROM segment_ranks WHERE row_num > 1)",
    "DROP TABLE segment_ranks",
    "UPDATE segments SET speaker_label = 'Chaffee' WHERE speaker_label IS NULL",
]

DATA = """
TRUNCATE segments RESTART IDENTITY;
-- 1 in 7 labels NULL, the others Chaffee or GUEST; the first {unique} rows are distinct,
-- the rest copy the (video_id, text) of a random earlier segment (about 1,000 segments
-- per video, ~190-character texts).
INSERT INTO segments (video_id, start_sec, end_sec, text, speaker_label, speaker_confidence,
                      avg_logprob, compression_ratio, no_speech_prob, temperature_used, metadata)
SELECT 'yt_' || lpad(to_hex(k / 1000), 8, '0'), (k % 1000) * 5.0, (k % 1000) * 5.0 + 4.5,
       substr(md5(k::text) || ' ' || md5((k * 7)::text) || ' ' || md5((k * 13)::text) || ' '
              || md5((k * 17)::text) || ' ' || md5((k * 19)::text) || ' ' || md5((k * 23)::text), 1, 190),
       CASE WHEN hashint4(g * 3) % 7 = 0 THEN NULL WHEN g % 3 = 0 THEN 'GUEST' ELSE 'Chaffee' END,
       0.9, -0.2, 1.4, 0.01, 0.0, jsonb_build_object('pass', CASE WHEN g > {unique} THEN 2 ELSE 1 END)
FROM (SELECT g, CASE WHEN g <= {unique} THEN g ELSE (hashint4(g) & 2147483647) % {unique} + 1 END AS k
      FROM generate_series(1, {rows}) AS g) AS numbered;
UPDATE segments
SET embedding = (SELECT array_agg(random()::real) FROM generate_series(1, 1536) WHERE id > 0)::vector
WHERE hashint4(id * 5) & 1048575 < {embedded} * 1048576;
REINDEX INDEX segments_embedding_idx;
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--rows", type=int, default=1_100_000)
    parser.add_argument("--embedding-share", type=float, default=0.02)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--locale", default="en_US.UTF-8")
    args = parser.parse_args()

    with scratch.embedded_server(settings=DURABLE) as server:
        locale = build(server, args)
        print(f"{args.rows:,} segments, {args.embedding_share:.0%} with embeddings, collation {locale}, "
              f"PostgreSQL {server.version}, fixes with --jobs {args.jobs}", flush=True)
        results = []
        for number in range(1, args.rounds + 1):
            seed = measure(server, lambda url: run_seed(url))
            ours = measure(server, lambda url: run_ours(url, args.jobs))
            results.append((seed, ours))
            print(f"round {number}: seed {seed['seconds']:.2f} s (longest lock {seed['lock']:.2f} s, "
                  f"probe waited {seed['probe']:.2f} s) | fixes {ours['seconds']:.2f} s (longest lock "
                  f"{ours['lock']:.2f} s, probe waited {ours['probe']:.2f} s) | ratio "
                  f"{ours['seconds'] / seed['seconds']:.2f}", flush=True)
            for line in ours["notes"]:
                print(f"         {line}")
        seed_s = statistics.median(s["seconds"] for s, _ in results)
        ours_s = statistics.median(o["seconds"] for _, o in results)
        print(f"median: seed {seed_s:.2f} s, fixes {ours_s:.2f} s, ratio {ours_s / seed_s:.2f} "
              f"(median of per-round ratios {statistics.median(o['seconds'] / s['seconds'] for s, o in results):.2f}); "
              f"longest lock: seed {max(s['lock'] for s, _ in results):.2f} s, "
              f"fixes {max(o['lock'] for _, o in results):.2f} s")


def build(server: scratch.ScratchServer, args) -> str:
    locale = args.locale
    with db.connection(server.url, autocommit=True) as conn, conn.cursor() as cur:
        try:
            cur.execute(f"CREATE DATABASE {TEMPLATE} TEMPLATE template0 LOCALE '{locale}'")
        except psycopg2.Error:
            locale = "C (en_US.UTF-8 is not installed here)"
            cur.execute(f"CREATE DATABASE {TEMPLATE} TEMPLATE template0 LOCALE 'C'")
    url = db.with_database(server.url, TEMPLATE)
    started = time.perf_counter()
    with db.connection(url, autocommit=True) as conn, conn.cursor() as cur:
        cur.execute((REPO / "tests" / "fixtures" / "legacy.sql").read_text())
        unique = int(args.rows * 0.9)
        cur.execute(DATA.format(rows=args.rows, unique=unique, embedded=args.embedding_share))
        cur.execute("VACUUM ANALYZE segments")
    print(f"built the data in {time.perf_counter() - started:.0f} s", flush=True)
    return locale


def measure(server: scratch.ScratchServer, action) -> dict:
    """Clone the template, probe locks while `action(url)` runs, drop the clone."""
    with server.database(template=TEMPLATE) as url:
        targets = [r[0] for r in query(url, """
            SELECT id FROM segments WHERE speaker_label IS NULL
            UNION ALL
            SELECT s.id FROM segments s JOIN (SELECT video_id, text FROM segments
                GROUP BY 1, 2 HAVING count(*) > 1) d USING (video_id, text)""")]
        before = query(url, "SELECT count(*) FROM segments")[0][0]
        probe = Probe(url, targets)
        probe.start()
        started = time.perf_counter()
        try:
            result = action(url)
        finally:
            seconds = time.perf_counter() - started
            probe.stop()
        after, dupes, nulls = query(url, """
            SELECT count(*), count(*) - count(DISTINCT (video_id, text)),
                   count(*) FILTER (WHERE speaker_label IS NULL) FROM segments""")[0]
        assert dupes == 0 and nulls == 0, (dupes, nulls)
        archived = query(url, "SELECT count(*) FROM pgproof.archived_rows")[0][0] if result.get("archive") else 0
        if result.get("archive"):
            assert before == after + archived, (before, after, archived)  # lossless
        return {"seconds": seconds, "lock": result["lock"], "probe": probe.longest,
                "notes": result.get("notes", [])}


def run_seed(url: str) -> dict:
    with db.connection(url) as conn, conn.cursor() as cur:
        started = time.perf_counter()
        for statement in SEED:
            cur.execute(statement)
        conn.commit()  # Alembic ran the whole migration in one transaction
        return {"lock": time.perf_counter() - started}


def run_ours(url: str, jobs: int) -> dict:
    config = settings.resolve({"db": url}, cwd=REPO)
    started = time.perf_counter()
    runs = commands.fixes_run(config, jobs=jobs)
    outside = time.perf_counter() - started - sum(r.seconds for r in runs)
    notes = [f"preflight and todo queries: {outside:.2f} s"] + [
             f"{r.fix}: {r.rows_changed:,} changed, {r.rows_archived:,} archived, {r.seconds:.2f} s, "
             f"{r.batches} batches, longest {r.longest_batch_s:.2f} s" for r in runs]
    return {"lock": max(r.longest_batch_s for r in runs), "archive": True, "notes": notes}


class Probe(threading.Thread):
    """Asks for a row lock on a random row the fixes touch, every 20 ms; keeps the longest
    wait. The lock is released at once, so the probe itself holds nobody up."""

    def __init__(self, url: str, ids: list[int]) -> None:
        super().__init__(daemon=True)
        self.url, self.ids = url, ids
        self.longest = 0.0
        self.done = threading.Event()

    def run(self) -> None:
        rng = random.Random(7)
        with db.connection(self.url) as conn, conn.cursor() as cur:
            while not self.done.is_set():
                started = time.perf_counter()
                cur.execute("SELECT 1 FROM segments WHERE id = %s FOR UPDATE", (rng.choice(self.ids),))
                conn.commit()
                self.longest = max(self.longest, time.perf_counter() - started)
                self.done.wait(0.02)

    def stop(self) -> None:
        self.done.set()
        self.join()


def query(url: str, sql: str) -> list[tuple]:
    with db.connection(url, autocommit=True) as conn, conn.cursor() as cur:
        cur.execute(sql)
        return cur.fetchall()


if __name__ == "__main__":
    main()
