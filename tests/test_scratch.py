"""Scratch providers leave nothing behind: no database, no cluster directory, no server
process, after success, after an error, and after Ctrl-C."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from conftest import REPO, run_sql, run_subprocess, scratch_databases
from pgproof.read import desired
from pgproof import scratch
from pgproof.read.catalog import describe


# Tests that look at /tmp for what a process left behind run on one xdist worker, one after
# the other, so another test's scratch server is never mistaken for a leftover.
LEFTOVERS = pytest.mark.xdist_group("leftovers")


def leftovers(tmp: Path) -> list[str]:
    found = [str(p) for p in tmp.glob("pgproof-scratch-*")]
    for proc in psutil.process_iter(["name", "cmdline"]):
        cmdline = " ".join(proc.info["cmdline"] or [])
        if proc.info["name"] == "postgres" and str(tmp) in cmdline:
            found.append(f"process {proc.pid}: {cmdline}")
    return found


def passable(folder: Path) -> None:
    """As root the scratch server runs as another user, who must pass through `folder`
    (pytest's are 0700); pgproof never opens a folder itself, so the test does."""
    if os.geteuid() == 0:
        for each in [folder, *folder.parents]:
            each.chmod(each.stat().st_mode | 0o001)


def sockets_in_tmp() -> set[str]:
    return {str(p) for p in Path("/tmp").glob("pgd-*")}


def no_new_sockets(before: set[str], wait_s: float = 60.0) -> bool:
    """True once every socket folder made since `before` is gone. Tests on the other
    worker make such folders too (a long TMPDIR) and remove them when their server
    stops, so a new one may exist for a while; a leaked one never goes."""
    deadline = time.monotonic() + wait_s
    while not sockets_in_tmp() <= before:
        if time.monotonic() > deadline:
            return False
        time.sleep(0.2)
    return True


@LEFTOVERS
def test_embedded_diff_leaves_nothing(tmp_path):
    passable(tmp_path)
    before = sockets_in_tmp()
    result = run_subprocess("diff", env={"TMPDIR": str(tmp_path)})
    assert result.code == 0, result.err
    assert "create table" in result.out
    assert leftovers(tmp_path) == []
    assert no_new_sockets(before), sockets_in_tmp() - before


@LEFTOVERS
def test_embedded_leaves_nothing_after_a_schema_error(tmp_path):
    passable(tmp_path)
    schema = tmp_path / "bad.sql"
    schema.write_text("CREATE TABLE a (e vectr(3));\n")  # fails on the server, after start
    result = run_subprocess("diff", "--schema", str(schema), env={"TMPDIR": str(tmp_path)})
    assert result.code == 1
    assert 'type "vectr" does not exist' in result.err
    assert leftovers(tmp_path) == []


@LEFTOVERS
def test_embedded_leaves_nothing_after_ctrl_c(tmp_path):
    passable(tmp_path)
    env = {**os.environ, "TMPDIR": str(tmp_path)}
    env.pop("DATABASE_URL", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "pgproof", "diff"], cwd=REPO, env=env,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    deadline = time.monotonic() + 60
    while not list(tmp_path.glob("pgproof-scratch-*/data/postmaster.pid")):
        assert time.monotonic() < deadline, "the scratch server never started"
        assert proc.poll() is None, proc.communicate()
        time.sleep(0.01)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, (out, err)
    assert "interrupted" in err
    assert "Traceback" not in err
    assert leftovers(tmp_path) == []


_INTERRUPTED_REMOVAL = """
import os, signal, sys, threading, time
from pathlib import Path
from pgproof.scratch import EmbeddedCluster

def removal(at_s):
    cluster = EmbeddedCluster()
    cluster.start()
    folders = [cluster.root, cluster.socket_dir]
    timer = threading.Timer(at_s, os.kill, (os.getpid(), signal.SIGINT))
    took = None
    try:
        timer.start()
        started = time.perf_counter()
        cluster.destroy()
        took = time.perf_counter() - started
        time.sleep(max(at_s - took, 0) + 0.3)  # a late signal lands here
        interrupted = False
    except KeyboardInterrupt:
        interrupted = True
    timer.join()
    return took, interrupted, [str(f) for f in folders if f.exists()]

took, _, _ = removal(2.0)  # the signal comes after: how long a removal takes here
for share in (0.1, 0.3, 0.5, 0.7, 0.9):
    _, interrupted, left = removal(took * share)
    print(share, interrupted, left, flush=True)
"""


@LEFTOVERS
def test_a_ctrl_c_while_a_cluster_is_removed_lets_the_removal_finish(tmp_path):
    passable(tmp_path)
    # Removing a cluster (stop, then an rmtree of a thousand files) takes tens of
    # milliseconds; a Ctrl-C anywhere in them used to leave the folder behind for good.
    env = {**os.environ, "TMPDIR": str(tmp_path), "PYTHONPATH": str(REPO / "tools")}
    done = subprocess.run([sys.executable, "-c", _INTERRUPTED_REMOVAL], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    rows = [line.split(" ", 2) for line in done.stdout.splitlines()]
    assert len(rows) == 5, done.stdout
    for share, interrupted, left in rows:
        assert interrupted == "True", f"the Ctrl-C at {share} of the removal was lost"
        assert left == "[]", f"a Ctrl-C at {share} of the removal left {left}"
    assert leftovers(tmp_path) == []


def test_url_scratch_drops_its_database_after_success_and_error(pgproof, pg_server, tmp_path):
    assert pgproof("diff").code == 0
    assert scratch_databases(pg_server.url) == []
    bad = tmp_path / "bad.sql"
    bad.write_text("CREATE TABLE a (id int);\nSELECT 1/0;\n")
    result = pgproof("diff", "--schema", str(bad))
    assert result.code == 1 and "bad.sql:2:" in result.err and "division by zero" in result.err
    assert scratch_databases(pg_server.url) == []


def test_schema_with_1200_tables_loads(pg_server, tmp_path):
    tables = "\n".join(
        f"CREATE TABLE t{i} (id serial PRIMARY KEY, name text UNIQUE, e vector(3));\n"
        f"COMMENT ON TABLE t{i} IS 'table {i}';"
        for i in range(1200)
    )
    schema = tmp_path / "big.sql"
    schema.write_text("CREATE EXTENSION vector;\n" + tables)
    with pg_server.database() as url:
        desired.load(url, desired.read(schema))  # one transaction: thousands of locks
        assert run_sql(url, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'") == [(1200,)]
        assert len(describe(url).of_kind("table")) == 1200


@pytest.mark.docker
def test_docker_provider_diff(pgproof):
    reason = scratch.docker_unavailable_reason()
    if reason:
        pytest.skip(reason)
    result = pgproof("diff", "--scratch", "docker")
    assert result.code == 0, result.err
    assert "create table" in result.out


def test_docker_provider_without_engine_is_one_sentence(pgproof):
    if scratch.docker_unavailable_reason() is None:
        pytest.skip("a Docker engine runs here")
    result = pgproof("diff", "--scratch", "docker")
    assert result.code == 1
    assert "--scratch docker needs a running Docker engine" in result.err


def test_names_the_mismatch_when_scratch_major_differs_from_target(pg_server, pg_major):
    other = 15 if pg_major != 15 else 16
    with scratch.open_scratch(pg_server.url, target_major=other) as server:
        assert server.version.major == pg_major
        assert server.mismatch.startswith(f"the scratch server runs PostgreSQL {pg_major} but the target runs {other}")
    with scratch.open_scratch(pg_server.url, target_major=pg_major) as server:
        assert server.mismatch is None
