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

`--traffic [rows]` (issue 21) measures an application's traffic instead: a table of
`rows` posts (3M by default) with a view over it; one change set adds a NOT NULL column
with a default, a CHECK, a FOREIGN KEY, an index, and changes the view. During the
change a reader of the table, a reader of the view and a writer each run a query every
10 ms; we count failed queries and the longest stall of each, for `psql -f` of migra's
output (`pgproof diff`) and for `pgproof plan` + `pgproof apply`, on clones of one seed.

    .venv/bin/python tools/benchmarks/online_apply.py --traffic [rows]
"""

from __future__ import annotations

import shutil
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


# --- --traffic: readers and a writer during a change set with a view -------------------

TRAFFIC_BEFORE = """
CREATE TABLE public.authors (id bigint PRIMARY KEY, name text NOT NULL);
CREATE TABLE public.posts (
    id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    author_id bigint,
    title text NOT NULL,
    score integer NOT NULL DEFAULT 0
);
CREATE VIEW public.top_posts AS SELECT id, title, score FROM public.posts WHERE score > 10;
"""
TRAFFIC_AFTER = """
CREATE TABLE public.authors (id bigint PRIMARY KEY, name text NOT NULL);
CREATE TABLE public.posts (
    id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    author_id bigint REFERENCES public.authors (id),
    title text NOT NULL,
    score integer NOT NULL DEFAULT 0,
    words integer NOT NULL DEFAULT 0,
    CONSTRAINT posts_title_length CHECK (length(title) < 500)
);
CREATE INDEX posts_author ON public.posts (author_id);
CREATE VIEW public.top_posts AS SELECT id, title, score, words FROM public.posts WHERE score > 10;
"""
TRAFFIC = {
    "table reader": ("SELECT title FROM posts WHERE id = %(id)s", lambda n: {"id": n % 1000 + 1}),
    "view reader": ("SELECT title FROM top_posts WHERE id = %(id)s", lambda n: {"id": n % 1000 + 20}),
    "writer": ("INSERT INTO posts (author_id, title, score) VALUES (%(a)s, 'live post', 20)",
               lambda n: {"a": n % 100 + 1}),
}


class Client(threading.Thread):
    """One query every 10 ms in autocommit; each one's duration and every error kept."""

    def __init__(self, url: str, sql: str, params) -> None:
        super().__init__(daemon=True)
        self.url, self.sql, self.params = url, sql, params
        self.stop = threading.Event()
        self.latencies: list[tuple[float, float]] = []
        self.errors: list[str] = []

    def run(self) -> None:
        conn = psycopg2.connect(db.libpq_url(self.url))
        conn.autocommit = True
        cur = conn.cursor()
        n = 0
        while not self.stop.is_set():
            n += 1
            started = time.monotonic()
            try:
                cur.execute(self.sql, self.params(n))
                if cur.description:
                    cur.fetchall()
            except psycopg2.Error as exc:
                self.errors.append(db.server_message(exc).split(";")[0])
            self.latencies.append((started, time.monotonic() - started))
            time.sleep(0.01)
        conn.close()


def traffic_seed(url: str, rows: int) -> None:
    conn = psycopg2.connect(db.libpq_url(url))
    conn.autocommit = True
    cur = conn.cursor()
    cur.execute(TRAFFIC_BEFORE)
    cur.execute("INSERT INTO authors SELECT g, 'author ' || g FROM generate_series(1, 100) g")
    cur.execute(f"INSERT INTO posts (author_id, title, score) SELECT g % 100 + 1, 'post number ' || g, g % 50 "
                f"FROM generate_series(1, {rows}) g")
    cur.execute("VACUUM ANALYZE posts")
    conn.close()


def under_traffic(url: str, change) -> tuple[float, dict[str, tuple[int, int, float, list[str]]]]:
    """(seconds of the change, {client: (queries, failed, longest stall s, first errors)})."""
    clients = {name: Client(url, sql, params) for name, (sql, params) in TRAFFIC.items()}
    for client in clients.values():
        client.start()
    time.sleep(1.0)
    start = time.monotonic()
    change()
    end = time.monotonic()
    time.sleep(0.5)
    for client in clients.values():
        client.stop.set()
        client.join()
    result = {}
    for name, client in clients.items():
        during = [(t, d) for t, d in client.latencies if start <= t <= end + 0.5]
        result[name] = (len(during), len(client.errors), max((d for _, d in during), default=0.0),
                        sorted(set(client.errors))[:2])
    return end - start, result


def traffic(rows: int) -> None:
    psql = shutil.which("psql") or "/usr/lib/postgresql/15/bin/psql"
    with scratch.embedded_server() as server, tempfile.TemporaryDirectory() as tmp:
        schema = Path(tmp) / "schema.sql"
        schema.write_text(TRAFFIC_AFTER)
        env_cmd = [sys.executable, "-m", "pgproof"]
        with server.database() as template:
            t = time.monotonic()
            traffic_seed(template, rows)
            print(f"seeded {rows:,} posts in {time.monotonic() - t:.1f} s")
            template_name = db.database_name(template)
            outcomes = {}
            with server.database(template=template_name) as plain_db:
                script = Path(tmp) / "migra.sql"
                diff = subprocess.run([*env_cmd, "diff", "--db", plain_db, "--schema", str(schema),
                                       "--scratch", server.url], cwd=REPO, capture_output=True, text=True)
                script.write_text(diff.stdout)
                print("migra's output (psql -f):\n" + diff.stdout)
                outcomes["psql -f of migra's output"] = under_traffic(plain_db, lambda: subprocess.run(
                    [psql, db.libpq_url(plain_db), "-q", "-f", str(script)], check=True, capture_output=True))
            with server.database(template=template_name) as ours_db:
                plan = Path(tmp) / "plan.sql"
                subprocess.run([*env_cmd, "plan", "--db", ours_db, "--schema", str(schema),
                                "--scratch", server.url, "--out", str(plan)],
                               cwd=REPO, capture_output=True, text=True, check=True)
                from pgproof.core import plan_file
                codes = ",".join(plan_file.read(plan).hazard_codes) or "none"
                print("pgproof's plan, its transactions:\n" + "\n".join(
                    line for line in plan.read_text().splitlines() if line.startswith("-- transaction")))
                outcomes["pgproof plan + apply"] = under_traffic(ours_db, lambda: subprocess.run(
                    [*env_cmd, "apply", str(plan), "--db", ours_db, "--yes", "--allow-hazards", codes],
                    cwd=REPO, check=True, capture_output=True, text=True))
    print(f"{'':<28}{'change (s)':>11}  " + "  ".join(f"{name + ' failed/stall ms':>30}" for name in TRAFFIC))
    for way, (seconds, clients) in outcomes.items():
        cells = "  ".join(f"{f'{c[1]}/{c[0]} failed, {c[2] * 1000:,.0f}':>30}" for c in clients.values())
        print(f"{way:<28}{seconds:>11.2f}  {cells}")
        for name, (_, _, _, errors) in clients.items():
            for error in errors:
                print(f"    {way}, {name}: {error}")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--traffic"]:
        traffic(int(sys.argv[2]) if len(sys.argv) > 2 else 3_000_000)
    else:
        main(int(sys.argv[1]) if len(sys.argv) > 1 else 1_100_000)
