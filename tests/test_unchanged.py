"""The no-change fast path (diff/unchanged.py): a target equal to the cached desired
schema is answered from fingerprints, byte for byte as the full comparison answers, and
a changed target or changed settings still get the full comparison."""

from __future__ import annotations

import io
import shutil

import pytest

from conftest import REPO, Result, passable, run_sql
from pgproof.cli import main as cli
from pgproof.core import db
from pgproof.core.exclusions import Exclusions
from pgproof.diff import unchanged
from pgproof.read import fingerprint
from pgproof.scratch import beside, cache
from pgproof.scratch.cache import Cache

CASES = REPO / "tests" / "cases"
# A spread of the corpus: columns, keys, views, functions, partitions, sequences, types.
CHOSEN = ["collation_column_added", "constraint_unique_added", "column_typmod_view_reads_in_where",
          "domain_base_type_changed", "function_return_type", "index_partial_predicate",
          "part_plain_table_becomes_partitioned", "seq_in_schema_owned_minvalue", "table_partition_added",
          "quoting_injection_default", "zerocol_all_columns_dropped"]


@pytest.fixture(scope="module")
def cache_dir(tmp_path_factory):
    """One cache for the module (its server starts once); each test's keys are its own."""
    folder = passable(tmp_path_factory.mktemp("unchanged")) / "cache"
    yield folder
    cache.clear(folder)


@pytest.fixture
def run(monkeypatch, cache_dir):
    """The CLI in-process with the embedded scratch and the cache on, in `cache_dir`."""
    monkeypatch.chdir(REPO)
    monkeypatch.setenv("PGPROOF_CACHE", "on")
    monkeypatch.setenv("PGPROOF_CACHE_DIR", str(cache_dir))
    monkeypatch.setenv("PGPROOF_SCRATCH", "embedded")
    monkeypatch.delenv("DATABASE_URL", raising=False)

    def invoke(*args: str, timings: bool = False) -> Result:
        out, err = io.StringIO(), io.StringIO()
        code = cli.run(["--no-progress", *(["--timings"] if timings else []), *args], out=out, err=err)
        return Result(code, out.getvalue(), err.getvalue())

    return invoke


def same_major(run, *where: str) -> None:
    """Skip where the embedded scratch is of another major than the target (no wheel of
    it): definitions render differently there, so fingerprints differ and every run
    compares in full, which the fast path's tests cannot test."""
    if "the scratch server runs PostgreSQL" in run("drift", *where).out:
        pytest.skip("no embedded scratch of this target's major: the full path runs")


def fast(run, *args: str) -> bool:
    """Did this command take the fast path (a fingerprint, no inspection)?"""
    result = run(*args, timings=True)
    return "timing: fingerprint" in result.err and "migra inspection" not in result.err


COMMANDS = [("drift",), ("drift", "--format", "json"), ("drift", "--format", "markdown"),
            ("diff",), ("diff", "--format", "json")]


@pytest.mark.parametrize("case", CHOSEN)
def test_the_fast_path_says_byte_for_byte_what_the_full_path_says(run, empty_db, tmp_path, cache_dir, case):
    sql = (CASES / case / "after.sql").read_text()
    if "-- min_major:" in sql:
        pytest.skip("a case for some majors only")
    schema = tmp_path / "schema.sql"
    shutil.copy(CASES / case / "after.sql", schema)
    if sql.strip():
        run_sql(empty_db, sql)  # the target is the desired schema
    where = ("--db", empty_db, "--schema", str(schema))
    assert not fast(run, "drift", *where)  # builds the entry, with its fingerprint beside it
    same_major(run, *where)
    full = _full(run, cache_dir, where)
    assert fast(run, "drift", *where)
    for command in COMMANDS:
        quick = run(*command, *where)
        assert (quick.code, quick.out, quick.err) == (full[command].code, full[command].out, full[command].err), command


def _full(run, cache_dir, where) -> dict:
    """What each command says on the full (warm) path: the records beside the entries
    put away meanwhile (the warm path says what the cold one says: test_cache.py)."""
    kept = {path: path.read_bytes() for path in (cache_dir / "entries").glob("*" + beside.SUFFIX)}
    assert kept
    for path in kept:
        path.unlink()
    try:
        return {command: run(*command, *where) for command in COMMANDS}
    finally:
        for path, data in kept.items():
            path.write_bytes(data)


def test_objects_of_uncompared_kinds_are_still_reported(run, empty_db, tmp_path):
    schema = tmp_path / "schema.sql"
    schema.write_text("CREATE TABLE t (id int);\n")
    run_sql(empty_db, "CREATE TABLE t (id int); CREATE PUBLICATION pgd_unchanged_pub")
    where = ("--db", empty_db, "--schema", str(schema))
    full = run("drift", *where, "--format", "json", "--no-cache")
    same_major(run, *where)
    assert fast(run, "drift", *where)
    quick = run("drift", *where, "--format", "json")
    assert (quick.code, quick.out) == (full.code, full.out)
    assert quick.code == 2 and "pgd_unchanged_pub" in quick.out


def test_a_changed_target_gets_the_full_comparison(run, empty_db, tmp_path):
    schema = tmp_path / "schema.sql"
    schema.write_text("CREATE TABLE t (id int);\n")
    run_sql(empty_db, "CREATE TABLE t (id int)")
    where = ("--db", empty_db, "--schema", str(schema))
    same_major(run, *where)
    assert run("drift", *where).code == 0
    run_sql(empty_db, "ALTER TABLE t ADD COLUMN extra text")
    assert not fast(run, "drift", *where)
    changed = run("drift", *where)
    assert changed.code == 2 and "extra" in changed.out


def test_other_settings_get_the_full_comparison(pg_server, empty_db, tmp_path):
    """The record beside an entry counts only under the settings it was made with."""
    run_sql(empty_db, "CREATE TABLE t (id int)")
    entries = tmp_path / "entries"
    here = Cache(tmp_path)
    unchanged.keep(here, "k", empty_db, _catalog(empty_db), Exclusions())
    major = db.probe(empty_db).major
    assert unchanged.empty_diff(here, "k", empty_db, major, Exclusions()) is not None
    for other in (Exclusions(ignored_kinds=("cast",)), Exclusions(manage_owners=True),
                  Exclusions(patterns=("public.t",)), Exclusions(managed_roles=("PUBLIC",))):
        assert unchanged.empty_diff(here, "k", empty_db, major, other) is None
    record = beside.read(entries, "k")
    beside.write(entries, "k", {**record, "fingerprint": "0" * 64})
    assert unchanged.empty_diff(here, "k", empty_db, major, Exclusions()) is None
    beside.path(entries, "k").write_text("{not json")
    assert unchanged.empty_diff(here, "k", empty_db, major, Exclusions()) is None
    assert fingerprint.read(empty_db).digest  # the target itself is fine


def _catalog(url: str):
    from pgproof.read import catalog

    return catalog.describe(url)
