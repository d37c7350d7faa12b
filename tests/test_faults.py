"""Faults injected into a real `pgproof apply` of the legacy plan (data fixes, a
`CREATE UNIQUE INDEX CONCURRENTLY`, a transactional `ADD CONSTRAINT ... USING INDEX`):
the step's connection terminated, the pgproof process SIGKILLed, the server shut down
immediately (on a server of the trial's own), and the apply's lock session lost. After
each, a plain rerun of the same command converges: drift 0, every row kept or archived,
no INVALID index, no row left `running`.

Each step is caught in the act by a blocker session holding a lock it needs, so the
fault lands while the server runs (or waits in) that very statement; "after the last
commit" is caught by pausing the process just before it records success.

The whole matrix runs with `pytest -m faults`; three trials (marked also_default) run
in the default run too.
"""

from __future__ import annotations

import contextlib
import io
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import psycopg2
import pytest

from conftest import FIXTURES, REPO, run_sql
from pgproof.apply import run as apply_module
from pgproof.cli import main as cli
from pgproof.core import db
from pgproof import scratch

ALLOW = "CONSTRAINT_VALIDATION,DATA_FIX,INDEX_BUILD"
DOOMED_ID = 3  # a duplicate fix 0001 deletes: its row lock holds the fix's batch
STEPS = ("fixes", "concurrently", "transactional", "after-last-commit")
# PGPROOF_FAULT_ROWS=200000 pads each target with that many more segments (a tenth of
# them duplicated, a seventh with NULL labels), for trials closer to production sizes.
EXTRA_ROWS = int(os.environ.get("PGPROOF_FAULT_ROWS", "0"))
DEFAULT_RUN = {("terminate", "concurrently"), ("sigkill", "concurrently"), ("terminate", "after-last-commit")}

# Runs pgproof's CLI; with TRIAL_MARKER set, it pauses just before recording success
# until the test removes the marker file (the moment after the last commit).
DRIVER = """
import os, sys, time
from pgproof.ledger import history
marker = os.environ.get("TRIAL_MARKER")
if marker:
    real = history.finish
    def finish(conn, entry, *, outcome, **kwargs):
        if outcome == "succeeded":
            open(marker, "w").close()
            while os.path.exists(marker):
                time.sleep(0.05)
        return real(conn, entry, outcome=outcome, **kwargs)
    history.finish = finish
from pgproof.cli.entry import main
sys.argv = ["pgproof", *sys.argv[1:]]
main()
"""


@pytest.fixture(scope="module")
def legacy_plan(pg_server, tmp_path_factory):
    """One plan for every trial: each target holds the same legacy schema (the crash
    trials' own servers too: embedded PostgreSQL 18 like the session server, so their
    catalogs have the same fingerprint)."""
    folder = tmp_path_factory.mktemp("fault-plan")
    with pg_server.database(template="pgd_tmpl_legacy") as url:
        result = in_process("plan", "--db", url, "--out", str(folder / "plan.sql"), scratch_url=pg_server.url)
        assert result[0] == 0, result
    return folder / "plan.sql"


def in_process(*args: str, scratch_url: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    previous, scratch_before = os.getcwd(), os.environ.get("PGPROOF_SCRATCH")
    os.chdir(REPO)
    os.environ["PGPROOF_SCRATCH"] = scratch_url
    try:
        code = cli.run(["--no-progress", *args], out=out, err=err)
    finally:
        os.chdir(previous)
        if scratch_before is None:
            os.environ.pop("PGPROOF_SCRATCH", None)
        else:
            os.environ["PGPROOF_SCRATCH"] = scratch_before
    return code, out.getvalue(), err.getvalue()


@dataclass
class Target:
    url: str
    cluster: scratch.EmbeddedCluster | None = None  # a server of the trial's own

    def crash(self) -> None:
        pid = int((self.cluster.data / "postmaster.pid").read_text().split()[0])
        os.kill(pid, signal.SIGQUIT)  # PostgreSQL's immediate shutdown
        deadline = time.monotonic() + 30
        while (self.cluster.data / "postmaster.pid").exists() and time.monotonic() < deadline:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, 0)
                time.sleep(0.05)
                continue
            break
        time.sleep(0.2)

    def restart(self) -> None:
        self.cluster._run("pg_ctl", "-D", str(self.cluster.data), "-l", str(self.cluster.root / "server.log"),
                          "-w", "-t", "60", "start")


def pad(url: str) -> None:
    if not EXTRA_ROWS:
        return
    run_sql(url, f"""
        SELECT setval('segments_id_seq', (SELECT max(id) FROM segments));
        INSERT INTO segments (video_id, start_sec, end_sec, text, speaker_label)
        SELECT 'pad_' || (g / 50), g, g + 1, 'padding segment ' || g, CASE WHEN g % 7 = 0 THEN NULL ELSE 'GUEST' END
        FROM generate_series(1, {EXTRA_ROWS}) AS g
        UNION ALL
        SELECT 'pad_' || (g / 50), g, g + 1, 'padding segment ' || g, 'GUEST'
        FROM generate_series(1, {EXTRA_ROWS}, 10) AS g;
        ANALYZE segments;""")


@contextlib.contextmanager
def target_for(kind: str, pg_server):
    if kind != "crash":
        with pg_server.database(template="pgd_tmpl_legacy") as url:
            pad(url)
            yield Target(url)
        return
    cluster = scratch.EmbeddedCluster()
    try:
        cluster.start()
        run_sql(cluster.url, "CREATE DATABASE target")
        url = db.with_database(cluster.url, "target")
        run_sql(url, (FIXTURES / "legacy.sql").read_text())
        pad(url)
        yield Target(url, cluster)
    finally:
        cluster.destroy()


@contextlib.contextmanager
def blocker(url: str, step: str):
    """A session holding the lock `step` needs, so the step waits in the server."""
    if step == "after-last-commit":
        yield
        return
    conn = psycopg2.connect(db.libpq_url(url))
    try:
        with conn.cursor() as cur:
            if step == "fixes":
                cur.execute("SELECT id FROM segments WHERE id = %s FOR UPDATE", (DOOMED_ID,))
            elif step == "concurrently":
                # A writer the build waits for; a row no data fix touches.
                cur.execute("""UPDATE segments SET text = text WHERE id = (
                    SELECT min(id) FROM segments s WHERE speaker_label IS NOT NULL AND NOT EXISTS (
                        SELECT FROM segments o WHERE o.video_id = s.video_id AND o.text = s.text AND o.id <> s.id))""")
            else:
                cur.execute("LOCK TABLE segments IN ACCESS SHARE MODE")
        yield conn
    finally:
        with contextlib.suppress(psycopg2.Error):
            conn.rollback()
        with contextlib.suppress(psycopg2.Error):
            conn.close()


_WAITING = {
    "fixes": "query LIKE '%pgproof_batch%'",
    "concurrently": "query ILIKE 'CREATE UNIQUE INDEX CONCURRENTLY%'",
    "transactional": "query ILIKE '%ADD CONSTRAINT%'",
}


def wait_for_step(url: str, step: str, marker: Path, proc: subprocess.Popen) -> int | None:
    """The backend running `step` (None for after-last-commit), once it is in it."""
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        assert proc.poll() is None, proc.communicate()
        if step == "after-last-commit":
            if marker.exists():
                return None
        else:
            rows = run_sql(url, f"""SELECT pid FROM pg_stat_activity WHERE application_name LIKE 'pgproof %'
                                    AND wait_event_type = 'Lock' AND {_WAITING[step]}""")
            if rows:
                return rows[0][0]
        time.sleep(0.05)
    raise AssertionError(f"apply never reached {step}")


def lock_holder(url: str) -> int:
    rows = run_sql(url, f"""SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted
                            AND objid = {apply_module.ADVISORY_KEY & 0xFFFFFFFF}""")
    return rows[0][0]


def start_apply(url: str, plan: Path, marker: Path | None = None) -> subprocess.Popen:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    env.pop("DATABASE_URL", None)
    if marker is not None:
        env["TRIAL_MARKER"] = str(marker)
    return subprocess.Popen(
        [sys.executable, "-c", DRIVER, "apply", str(plan), "--db", url, "--yes", "--allow-hazards", ALLOW],
        cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )


def rows_and_archive(url: str) -> tuple[int, int]:
    segments = run_sql(url, "SELECT count(*) FROM segments")[0][0]
    if run_sql(url, "SELECT to_regclass('pgproof.archived_rows')") == [(None,)]:
        return segments, 0
    archived = run_sql(url, "SELECT count(*) FROM pgproof.archived_rows WHERE table_name = 'public.segments'")
    return segments, archived[0][0]


def assert_one_sentence(err: str) -> None:
    lines = [line for line in err.splitlines() if line.startswith("Error: ")]
    assert len(lines) == 1, err
    assert "Traceback" not in err and "hit a bug" not in err, err


def assert_converged(target: Target, plan: Path, rows_before: int, pg_server) -> str:
    code, out, err = in_process("apply", str(plan), "--db", target.url, "--yes", "--allow-hazards", ALLOW,
                                scratch_url=pg_server.url)
    assert code == 0, err
    assert "Traceback" not in err
    drift = in_process("drift", "--db", target.url, scratch_url=pg_server.url)
    assert drift[0] == 0, drift
    after, archived = rows_and_archive(target.url)
    assert after + archived == rows_before, (after, archived, rows_before)
    assert run_sql(target.url, "SELECT indexrelid::regclass::text FROM pg_index WHERE NOT indisvalid") == []
    assert run_sql(target.url, "SELECT count(*) FROM pgproof.apply_history WHERE outcome = 'running'") == [(0,)]
    assert run_sql(target.url, "SELECT count(*) FROM pgproof.fix_runs WHERE status = 'running'") == [(0,)]
    again = in_process("apply", str(plan), "--db", target.url, "--yes", "--allow-hazards", ALLOW,
                       scratch_url=pg_server.url)
    assert again[0] == 0 and "already applied" in again[2], again
    return err


def trial_params():
    for kind in ("terminate", "sigkill", "crash"):
        for step in STEPS:
            marks = (pytest.mark.faults, *((pytest.mark.also_default,) if (kind, step) in DEFAULT_RUN else ()))
            yield pytest.param(kind, step, marks=marks, id=f"{kind}-{step}")


@pytest.mark.parametrize(("kind", "step"), list(trial_params()))
def test_fault_then_plain_rerun_converges(kind, step, legacy_plan, pg_server, tmp_path):
    with target_for(kind, pg_server) as target:
        rows_before = rows_and_archive(target.url)[0]
        marker = tmp_path / "paused"
        with blocker(target.url, step) as held:
            proc = start_apply(target.url, legacy_plan, marker if step == "after-last-commit" else None)
            try:
                backend = wait_for_step(target.url, step, marker, proc)
                if kind == "terminate":
                    pids = [backend] if backend else [r[0] for r in run_sql(target.url, f"""
                        SELECT pid FROM pg_stat_activity WHERE application_name LIKE 'pgproof %'
                        AND pid <> {lock_holder(target.url)}""")]
                    for pid in pids:
                        run_sql(target.url, f"SELECT pg_terminate_backend({pid})")
                elif kind == "sigkill":
                    proc.kill()
                else:
                    target.crash()
                if held is not None and kind != "crash":
                    time.sleep(0.3)  # the orphan step of a killed pgproof goes on meanwhile
            finally:
                marker.unlink(missing_ok=True)
        out, err = proc.communicate(timeout=120)
        if kind == "sigkill":
            assert proc.returncode == -signal.SIGKILL
        else:
            assert proc.returncode == 1, (out, err)
            assert_one_sentence(err)
            assert "again" in err, err
        if kind == "crash":
            target.restart()
        rerun = assert_converged(target, legacy_plan, rows_before, pg_server)
        said = [line for line in err.splitlines() if line.startswith("Error: ")]
        print(f"\nTRIAL {kind}-{step}: exit {proc.returncode}; {said[0][:160] if said else '(killed)'}; "
              f"rerun: {' / '.join(line for line in rerun.splitlines() if not line.startswith(('statement', '0')))[:300]}")


@pytest.mark.faults
@pytest.mark.parametrize("step", ["fixes", "concurrently"])
def test_lost_lock_session_stops_apply_and_a_second_apply_finishes(step, legacy_plan, pg_server, tmp_path):
    """The advisory lock's session dies while apply goes on: the apply stops at the next
    clean point, and a second apply started meanwhile waits for it, then finishes."""
    with target_for("terminate", pg_server) as target:
        rows_before = rows_and_archive(target.url)[0]
        marker = tmp_path / "unused"
        with blocker(target.url, step):
            first = start_apply(target.url, legacy_plan)
            wait_for_step(target.url, step, marker, first)
            run_sql(target.url, f"SELECT pg_terminate_backend({lock_holder(target.url)})")
            second = start_apply(target.url, legacy_plan)
            time.sleep(1.0)
        out1, err1 = first.communicate(timeout=120)
        out2, err2 = second.communicate(timeout=120)
        assert first.returncode == 1, err1
        assert_one_sentence(err1)
        assert "advisory lock" in err1 or "lost the connection" in err1 or "failed" in err1, err1
        assert second.returncode == 0, err2
        assert_converged(target, legacy_plan, rows_before, pg_server)
