"""The cache's entries are data, checked, and its servers have an end: a changed template,
a swapped or tampered entry and an old pickle are never used (the output stays what a
cold run says); an idle server stops by itself and the next run starts it again; a
server whose folder or binaries are gone is stopped; the size cap evicts least recently
used entries but never one a run holds; `cache status --format json` and `cache prune`.
On the target's major (the cache server is the scratch `auto` picks for it)."""

from __future__ import annotations

import fcntl
import io
import json
import pickle
import shutil
import time
from pathlib import Path

import jsonschema
import psutil
import pytest

from conftest import REPO, Result, run_sql
from pgproof.cli import main as cli
from pgproof.core import db
from pgproof import scratch
from pgproof.scratch import cache, entries, private
from pgproof.scratch import installation as installations
from pgproof.scratch.cache import Cache
from pgproof.scratch.cluster import bin_dir_of
from pgproof.scratch.embedded import postmaster_pid
from test_cache import _another_pgvector

SCHEMAS = {
    "a": "CREATE TABLE a (id int PRIMARY KEY, name text NOT NULL);\n",
    "b": "CREATE TABLE b (id bigint PRIMARY KEY, note text);\nCREATE INDEX b_note ON b (note);\n",
}


@pytest.fixture
def cache_dir(tmp_path):
    folder = tmp_path / "cache"
    yield folder
    cache.clear(folder)


@pytest.fixture
def run(monkeypatch, cache_dir, empty_db, tmp_path):
    """`pgproof diff --db <empty target>` in-process with the cache on, per schema name."""
    monkeypatch.chdir(REPO)
    monkeypatch.setenv("PGPROOF_CACHE", "on")
    monkeypatch.setenv("PGPROOF_CACHE_DIR", str(cache_dir))
    monkeypatch.setenv("PGPROOF_SCRATCH", "auto")
    monkeypatch.delenv("DATABASE_URL", raising=False)
    for name, text in SCHEMAS.items():
        (tmp_path / f"{name}.sql").write_text(text)

    def invoke(*args: str, schema: str | None = "a") -> Result:
        out, err = io.StringIO(), io.StringIO()
        more = ["--db", empty_db, "--schema", str(tmp_path / f"{schema}.sql")] if schema else []
        code = cli.run(["--timings", *args, *more], out=out, err=err)
        return Result(code, out.getvalue(), err.getvalue())

    return invoke


def _server(cache_dir: Path) -> cache.PersistentCluster:
    (folder,) = [p for p in cache_dir.glob("pg*-*") if p.is_dir()]
    return cache.PersistentCluster(folder, None)


def _installation(cache_dir: Path) -> installations.Installation:
    found = installations.at(bin_dir_of(_server(cache_dir).data))
    assert found is not None
    return found


def _entry_of(cache_dir: Path, holds: str) -> entries.Entry:
    (found,) = [e for e in entries.listed(cache_dir / "entries") if e.holds.endswith(holds)]
    return found


def _cold(run, schema: str = "a") -> str:
    result = run("diff", "--no-cache", schema=schema)
    assert result.code == 0, result.err
    return result.out


def test_a_changed_template_is_never_used(run, cache_dir, tmp_path):
    cold = _cold(run)
    assert run("diff").out == cold
    entry = _entry_of(cache_dir, "a.sql")
    url = _server(cache_dir).url
    # what another user with the server's password could do: let connections in, change it
    run_sql(url, f'ALTER DATABASE "{entry.database}" ALLOW_CONNECTIONS true')
    run_sql(db.with_database(url, entry.database), "CREATE TABLE planted (id int)")
    run_sql(url, f'ALTER DATABASE "{entry.database}" ALLOW_CONNECTIONS false')
    again = run("diff")
    assert again.code == 0 and again.out == cold
    assert "was changed since it was built" in again.err and "timing: schema load" in again.err
    rebuilt = _entry_of(cache_dir, "a.sql")
    assert rebuilt.template["xmin"] != entry.template["xmin"]
    store = Cache(cache_dir)
    with store.server(_installation(cache_dir)) as server, \
            store.clone(server, rebuilt) as clone:
        assert run_sql(clone, "SELECT to_regclass('public.planted')") == [(None,)]


def test_a_clone_with_another_fingerprint_rebuilds_its_template(run, cache_dir):
    """The second check: a template whose catalog differs from the one recorded (here the
    record is what differs) is found on its clone, dropped and built again."""
    assert run("diff").code == 0
    entry = _entry_of(cache_dir, "a.sql")
    changed = entries.Entry(**{**entry.__dict__, "template": {**entry.template, "fingerprint": "0" * 32}})
    private.atomic_write(entries.path_of(cache_dir / "entries", entry.key), entries.encode(changed))
    store = Cache(cache_dir)
    with store.server(_installation(cache_dir)) as server:
        found = store.entry(server, entry.key, lambda url: run_sql(url, "CREATE TABLE a (id int)"), keep_side=False)
        with store.clone(server, found) as url:
            assert run_sql(url, "SELECT count(*) FROM a") == [(0,)]
    rebuilt = entries.read(cache_dir / "entries", entry.key)
    assert rebuilt is not None and rebuilt.template["fingerprint"] != "0" * 32


def test_swapped_and_tampered_entries_are_never_used(run, cache_dir):
    cold = {name: _cold(run, name) for name in SCHEMAS}
    for name in SCHEMAS:
        assert run("diff", schema=name).out == cold[name]
    first, second = (entries.path_of(cache_dir / "entries", _entry_of(cache_dir, f"{n}.sql").key) for n in SCHEMAS)
    swap = first.with_suffix(".swap")
    first.rename(swap), second.rename(first), swap.rename(second)
    for name in SCHEMAS:
        result = run("diff", schema=name)
        assert result.code == 0 and result.out == cold[name]
        assert "is not usable (it is the entry of another key)" in result.err
    path = entries.path_of(cache_dir / "entries", _entry_of(cache_dir, "a.sql").key)
    data = path.read_bytes()
    at = data.index(b'"holds"') + 2
    path.write_bytes(data[:at] + bytes([data[at] ^ 1]) + data[at + 1:])
    tampered = run("diff")
    assert tampered.code == 0 and tampered.out == cold["a"]
    assert "does not match its checksum" in tampered.err and "timing: schema load" in tampered.err
    for entry_file in (cache_dir / "entries").glob("*.entry"):
        assert entry_file.stat().st_mode & 0o777 == 0o600


class _Planted:
    """A pickle that writes a file when it is loaded."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return (Path.write_text, (self.marker, "a pickle ran"))


def test_an_old_pickle_in_the_cache_is_ignored_and_pruned(run, cache_dir, tmp_path):
    cold = _cold(run)
    assert run("diff").out == cold
    marker = tmp_path / "ran"
    for entry in entries.listed(cache_dir / "entries"):  # format 2's files, for the same keys
        (cache_dir / "entries" / f"{entry.key}.side").write_bytes(pickle.dumps(_Planted(marker)))
        (cache_dir / "entries" / f"{entry.key}.json").write_text(json.dumps({"database": entry.database,
                                                                              "side_sha256": "x"}))
    again = run("diff")
    assert again.code == 0 and again.out == cold and not marker.exists()
    pruned = run("cache", "prune", schema=None)
    assert pruned.code == 0 and "an entry of an older pgproof" in pruned.err
    assert not list((cache_dir / "entries").glob("*.side")) and not marker.exists()


def _gone(pid: int) -> bool:
    """The process has exited (a zombie, not yet reaped by whoever adopted it, has too)."""
    try:
        return psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


def _wait(condition, timeout_s: float = 60.0) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


def test_an_idle_server_stops_by_itself_and_the_next_run_starts_it(run, cache_dir, monkeypatch):
    monkeypatch.setenv("PGPROOF_CACHE_IDLE_MINUTES", "0.05")  # 3 s
    first = run("diff")
    assert first.code == 0
    server = _server(cache_dir)
    pid = postmaster_pid(server.data)
    assert pid and server.running()
    assert _wait(lambda: not server.running()), "the idle server did not stop"
    assert _gone(pid)
    again = run("diff")
    assert again.code == 0 and again.out.encode() == first.out.encode()
    assert "timing: scratch start" in again.err and "timing: schema load" not in again.err
    assert server.running()


def test_a_server_whose_folder_is_gone_is_stopped(run, cache_dir, tmp_path, monkeypatch):
    assert run("diff").code == 0
    server = _server(cache_dir)
    pid = postmaster_pid(server.data)
    shutil.rmtree(server.folder)  # places.json with it: nothing in the cache names it any more
    other = tmp_path / "other-cache"
    monkeypatch.setenv("PGPROOF_CACHE_DIR", str(other))
    try:
        assert run("diff").code == 0  # the next run, of any cache folder
        assert _wait(lambda: _gone(pid), 30), "the orphaned server still runs"
    finally:
        cache.clear(other)


def test_a_server_whose_binaries_are_gone_is_stopped_and_removed(run, cache_dir, tmp_path, pg_major):
    if pg_major != 18:
        pytest.skip("the copied installation is the embedded PostgreSQL 18")
    copy = _another_pgvector(tmp_path)
    store = Cache(cache_dir)
    with store.server(installations.at(copy)):
        pass
    (gone,) = [p for p in cache_dir.glob("pg18-*")]
    pid = postmaster_pid(cache.PersistentCluster(gone, None).data)
    shutil.rmtree(copy.parent)
    assert run("diff").code == 0
    assert _wait(lambda: _gone(pid), 30) and not gone.exists()


def test_the_cap_evicts_least_recently_used_but_not_a_held_entry(cache_dir, pg_major):
    installation = installations.at(scratch.bin_dir()) if pg_major == 18 else None
    if installation is None:
        pytest.skip("the Cache API test runs on the embedded PostgreSQL 18")
    store = Cache(cache_dir)
    with store.server(installation) as server:
        keys = [store.key(server, {"kind": "test", "n": n}) for n in range(3)]
        for n, key in enumerate(keys):
            store.entry(server, key, lambda url, n=n: run_sql(url, f"CREATE TABLE t{n} (id int)"), keep_side=False)
    with private.flock(cache_dir / "entries" / f"{keys[0]}.use", fcntl.LOCK_SH):  # another run holds the oldest
        small = Cache(cache_dir, max_bytes=1)
        with small.server(installation) as server:
            small.entry(server, small.key(server, {"kind": "test", "n": 3}),
                        lambda url: run_sql(url, "CREATE TABLE t3 (id int)"), keep_side=False)
        left = {e.key for e in entries.listed(cache_dir / "entries")}
        assert left == {keys[0]}  # the held one survives; every other, the newest too, is over the cap
        names = {r[0] for r in run_sql(server.url, "SELECT datname FROM pg_database")}
        assert f"{cache.CACHE_PREFIX}{keys[0]}" in names
        assert not {f"{cache.CACHE_PREFIX}{k}" for k in keys[1:]} & names


STATUS_SHAPE = {
    "format": str, "folder": str, "enabled": bool, "source": str, "bytes": int, "max_bytes": int,
    "idle_minutes": (int, float), "servers": list, "entries": list,
}
SERVER_SHAPE = {"name": str, "major": int, "installation": str, "running": bool, "idle_s": (int, float),
                "bytes": int}
ENTRY_SHAPE = {"key": str, "kind": str, "holds": str, "server": str, "database": str, "bytes": int,
               "last_used_s": (int, float)}


def _shaped(data: dict, shape: dict) -> None:
    assert set(data) == set(shape), set(data) ^ set(shape)
    for name, kind in shape.items():
        assert isinstance(data[name], kind), (name, data[name])


def test_cache_status_json_and_prune(run, cache_dir, monkeypatch):
    assert run("diff").code == 0 and run("diff", schema="b").code == 0
    result = run("cache", "status", "--format", "json", schema=None)
    assert result.code == 0
    status = json.loads(result.out)
    jsonschema.validate(status, json.loads((REPO / "tools/pgproof/schemas/cache-status.schema.json").read_text()))
    _shaped(status, STATUS_SHAPE)
    (server,) = status["servers"]
    _shaped(server, SERVER_SHAPE)
    assert server["running"] and status["bytes"] >= server["bytes"] > 0
    assert {e["kind"] for e in status["entries"]} == {"desired"} and len(status["entries"]) == 2
    for entry in status["entries"]:
        _shaped(entry, ENTRY_SHAPE)
    text = run("cache", "status", schema=None)
    assert "running" in text.out and "a.sql" in text.out
    monkeypatch.setenv("PGPROOF_CACHE_MAX_BYTES", "1")
    monkeypatch.setenv("PGPROOF_CACHE_IDLE_MINUTES", "0.001")
    time.sleep(0.2)
    pruned = run("cache", "prune", schema=None)
    assert pruned.code == 0 and "Evicted desired" in pruned.err, pruned.err
    assert "Stopped" in pruned.err or not _server(cache_dir).running()
    after = json.loads(run("cache", "status", "--format", "json", schema=None).out)
    assert after["entries"] == [] and not after["servers"][0]["running"]
