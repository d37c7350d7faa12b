"""What the proof that covers production's rows costs `plan`, at scale, beside plain migra.

The schema of `scale.py` (per table: identity key, a foreign key to the previous table, a
unique column, a check, a vector column, three more indexes, comments) with `rows` rows in
every table, loaded into an embedded server with PostgreSQL's default durability. The
desired schema differs in 1% of the tables as in scale.py, and in those tables also adds
a CHECK on a column that has values, so the plan has row checks to count.

In every round, in the same order, each as its own process (process start included):

* plain migra between the loaded target and desired databases;
* `pgproof plan`, warm, with `--rehearsal none` (row checks, no rows copied), the default
  `--rehearsal violating` and `--rehearsal sample`.

It prints the medians, each ÷ plain migra, and the median of the phases `--timings`
names for the row checks and the rehearsal. Not part of the test run.

    .venv/bin/python tools/benchmarks/plan_rows.py [--tables 1000] [--rows 1000] [--rounds 3]
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from pgproof import scratch
from pgproof.core import db

sys.path.insert(0, str(Path(__file__).resolve().parent))
import scale  # noqa: E402  (the generator of the same schema, beside this file)

PHASES = ("row checks", "hazards (row counts)", "rehearsal (copy rows)", "rehearsal", "proof")


def desired_sql(tables: int) -> str:
    """scale.py's desired schema, plus a CHECK on `score` in each changed table."""
    extra = [f"ALTER TABLE public.t{i} ADD CONSTRAINT t{i}_score_max CHECK (score < 100000);"
             for i in range(tables) if i % scale.CHANGED_EVERY == scale.CHANGED_EVERY // 2]
    return scale.schema_sql(tables, desired=True) + "\n" + "\n".join(extra) + "\n"


def fill(url: str, tables: int, rows: int) -> None:
    """`rows` rows in every table (parents first, so each row's parent exists)."""
    with db.connection(url, autocommit=True) as conn, conn.cursor() as cur:
        for i in range(tables):
            parent = ", parent_id" if i else ""
            parent_value = ", g" if i else ""
            cur.execute(f"INSERT INTO public.t{i} (id, name, code, score{parent}) "
                        f"SELECT g, 'name ' || g, 'code ' || g, g % 1000{parent_value} "
                        f"FROM generate_series(1, {int(rows)}) AS g")
        cur.execute("ANALYZE")


def timed(command: list[str], env: dict[str, str]) -> tuple[float, dict[str, float]]:
    start = time.perf_counter()
    done = subprocess.run(command, cwd=scale.REPO, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if done.returncode not in (0, 2):
        raise SystemExit(f"{' '.join(command[:3])}... exited {done.returncode}: {done.stderr[-2000:]}")
    phases = {m.group(1).strip(): float(m.group(2))
              for m in re.finditer(r"^timing: (.+?)\s+([\d.]+) s$", done.stderr, re.M)}
    return seconds, phases


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tables", type=int, default=1000)
    parser.add_argument("--rows", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="pgproof-plan-rows-"))
    work.chmod(0o711)
    desired_file, target_file = work / "desired.sql", work / "target.sql"
    desired_file.write_text(desired_sql(args.tables))
    target_file.write_text(scale.schema_sql(args.tables, desired=False))
    env = {**os.environ, "PGPROOF_CACHE_DIR": str(work / "cache")}
    for name in ("DATABASE_URL", "CI", "PYTHONDONTWRITEBYTECODE"):
        env.pop(name, None)
    started = time.perf_counter()
    with scratch.embedded_server(settings=scale.DURABLE) as server:
        with server.database(name="target") as target, server.database(name="desired") as desired_db:
            scale.psql(target, target_file)
            fill(target, args.tables, args.rows)
            scale.psql(desired_db, desired_file)
            print(f"{args.tables:,} tables x {args.rows:,} rows loaded in {time.perf_counter() - started:.0f} s; "
                  f"load average {os.getloadavg()[0]:.1f}", flush=True)
            pgproof = [str(scale.BIN / "pgproof"), "--timings", "plan", "--db", target,
                       "--schema", str(desired_file), "--out", str(work / "plan.sql")]
            commands = {
                "plain migra": [str(scale.BIN / "migra"), "--unsafe", db.with_search_path(db.sqlalchemy_url(target)),
                                db.with_search_path(db.sqlalchemy_url(desired_db))],
                "plan --rehearsal none": [*pgproof, "--rehearsal", "none"],
                "plan (rehearsal violating)": pgproof,
                "plan --rehearsal sample": [*pgproof, "--rehearsal", "sample"],
            }
            timed(commands["plan (rehearsal violating)"], env)  # fills the cache
            times: dict[str, list[float]] = {name: [] for name in commands}
            phases: dict[str, dict[str, list[float]]] = {name: {} for name in commands}
            for _ in range(args.rounds):
                for name, command in commands.items():
                    seconds, found = timed(command, env)
                    times[name].append(seconds)
                    for phase in PHASES:
                        if phase in found:
                            phases[name].setdefault(phase, []).append(found[phase])
            subprocess.run([str(scale.BIN / "pgproof"), "cache", "clear"], env=env, capture_output=True, check=False)
    migra = statistics.median(times["plain migra"])
    print(f"\nmedians of {args.rounds} rounds; load average now {os.getloadavg()[0]:.1f}")
    print(f"{'':32}{'seconds':>9}{'÷ migra':>9}   phases (s)")
    for name, values in times.items():
        median = statistics.median(values)
        shown = ", ".join(f"{p} {statistics.median(v):.2f}" for p, v in phases[name].items())
        print(f"{name:32}{median:9.2f}{median / migra:9.2f}   {shown}")


if __name__ == "__main__":
    main()
