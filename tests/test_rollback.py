"""The way back of every apply is kept in the target's history: `pgproof rollback ID`
writes it again after its file is gone, and refuses once the target moved on; a plan's
rollback file is never overwritten by another plan's."""

from __future__ import annotations

import json
from importlib import resources

import jsonschema
import pytest

from conftest import run_sql

FIRST = "CREATE TABLE public.notes (id bigint PRIMARY KEY, body text NOT NULL);\n"
SECOND = FIRST + "CREATE TABLE public.tags (id bigint PRIMARY KEY, name text UNIQUE);\n" \
                 "ALTER TABLE public.notes ADD COLUMN tag_id bigint REFERENCES public.tags (id);\n"


@pytest.fixture
def schemas(tmp_path):
    paths = {}
    for name, text in (("empty", "-- nothing yet\n"), ("first", FIRST), ("second", SECOND)):
        paths[name] = tmp_path / f"{name}.sql"
        paths[name].write_text(text)
    return paths


def apply(pgproof, db, path):
    """Apply `path` with its hazards acknowledged, as a reviewer would."""
    codes = json.loads(pgproof("show", str(path), "--format", "json").out)["hazard_codes"]
    allowed = ("--allow-hazards", ",".join(codes)) if codes else ()
    return pgproof("apply", str(path), "--db", db, "--yes", *allowed)


def plan_and_apply(pgproof, db, schema, out):
    made = pgproof("plan", "--db", db, "--schema", str(schema), "--out", str(out))
    assert made.code == 0, made.err
    applied = apply(pgproof, db, out)
    assert applied.code == 0, applied.err
    return applied


def test_rollback_of_an_apply_after_two_applies_returns_to_the_state_before_it(pgproof, empty_db, schemas, tmp_path):
    plan_and_apply(pgproof, empty_db, schemas["first"], tmp_path / "one.sql")
    plan_and_apply(pgproof, empty_db, schemas["second"], tmp_path / "two.sql")
    run_sql(empty_db, "INSERT INTO public.notes (id, body) VALUES (1, 'kept')")
    for leftover in tmp_path.glob("*.rollback.sql"):  # the files are gone: the history holds the way back
        leftover.unlink()

    history = json.loads(pgproof("history", "--db", empty_db, "--format", "json").out)
    assert history["format"] == "pgproof.history/1"
    history_schema = json.loads(resources.files("pgproof").joinpath("schemas", "history.schema.json").read_text())
    jsonschema.validate(history, history_schema, format_checker=jsonschema.FormatChecker())
    entries = history["entries"]
    assert [(e["id"], e["outcome"], e["rollback_recorded"]) for e in entries] == [(2, "succeeded", True),
                                                                               (1, "succeeded", True)]
    assert entries[1]["fingerprint_after"] == entries[0]["target_fingerprint"]
    summary = pgproof("history", "--db", empty_db, "--format", "markdown").out  # deploy's job summary
    assert summary.startswith("### pgproof history: 2 apply(ies) on the target\n")
    assert "| 2 | " in summary and "| succeeded | 0/0 |" not in summary and "`pgproof rollback 1`" in summary
    assert "postgresql" not in summary and "pgproof-scratch" not in summary

    moved_on = pgproof("rollback", "1", "--db", empty_db, "--out", str(tmp_path / "back1.sql"))
    assert moved_on.code == 3
    assert "the target moved on since apply 1 (apply 2 changed it since" in moved_on.err
    assert "pgproof plan --db" in moved_on.err and not (tmp_path / "back1.sql").exists()

    back = pgproof("rollback", "2", "--db", empty_db, "--out", str(tmp_path / "back2.sql"))
    assert back.code == 0, back.err
    assert f"Wrote {tmp_path / 'back2.sql'}: the rollback of apply 2" in back.err
    applied = apply(pgproof, empty_db, tmp_path / "back2.sql")  # drops a column and a table: hazards
    assert applied.code == 0, applied.err
    assert pgproof("drift", "--db", empty_db, "--schema", str(schemas["first"])).code == 0
    assert run_sql(empty_db, "SELECT body FROM public.notes") == [("kept",)]

    # Back where apply 1 left it: its rollback applies again, down to the empty database.
    again = pgproof("rollback", "1", "--db", empty_db, "--out", str(tmp_path / "back1.sql"))
    assert again.code == 0, again.err
    assert apply(pgproof, empty_db, tmp_path / "back1.sql").code == 0
    assert pgproof("drift", "--db", empty_db, "--schema", str(schemas["empty"])).code == 0


def test_rollback_refuses_what_it_cannot_return_from(pgproof, empty_db, schemas, tmp_path):
    assert pgproof("rollback", "1", "--db", empty_db, "--out", str(tmp_path / "b.sql")).code == 1  # no history
    made = pgproof("plan", "--db", empty_db, "--schema", str(schemas["first"]), "--out", str(tmp_path / "one.sql"))
    assert made.code == 0, made.err
    (tmp_path / "one.rollback.sql").unlink()
    applied = apply(pgproof, empty_db, tmp_path / "one.sql")
    assert applied.code == 0, applied.err
    assert "records no rollback" in applied.err
    none = pgproof("rollback", "1", "--db", empty_db, "--out", str(tmp_path / "b.sql"))
    assert none.code == 1 and "apply 1 recorded no rollback plan" in none.err
    missing = pgproof("rollback", "7", "--db", empty_db, "--out", str(tmp_path / "b.sql"))
    assert missing.code == 1 and "has no apply 7 in its history; `pgproof history` lists them." in missing.err


def test_plan_never_overwrites_the_rollback_of_another_plan(pgproof, empty_db, schemas, tmp_path):
    one, two = tmp_path / "one.sql", tmp_path / "two.sql"
    assert pgproof("plan", "--db", empty_db, "--schema", str(schemas["first"]), "--out", str(one)).code == 0
    # Its own pair is replaced together: planning to the same file again is fine.
    assert pgproof("plan", "--db", empty_db, "--schema", str(schemas["second"]), "--out", str(one)).code == 0
    assert pgproof("plan", "--db", empty_db, "--schema", str(schemas["first"]), "--out", str(two)).code == 0
    other = (tmp_path / "two.rollback.sql").read_text()
    (tmp_path / "one.rollback.sql").write_text(other)  # one.sql's rollback file now belongs to two.sql
    refused = pgproof("plan", "--db", empty_db, "--schema", str(schemas["first"]), "--out", str(one))
    assert refused.code == 3
    assert f"{tmp_path / 'one.rollback.sql'} is not the rollback of the plan at {one}" in refused.err
    assert (tmp_path / "one.rollback.sql").read_text() == other
    one.unlink()  # a rollback file without its plan is kept too
    assert pgproof("plan", "--db", empty_db, "--schema", str(schemas["first"]), "--out", str(one)).code == 3
