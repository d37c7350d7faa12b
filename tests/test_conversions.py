"""Convert directives through the CLI: a type change no cast covers is refused by name
before any proof, with the directive as the way out; the directive makes it plan, apply
and drift clean; a wrong directive is one error at file:line."""

from __future__ import annotations

from conftest import run_sql

TARGET = '''CREATE TABLE "Member" ("id" int PRIMARY KEY, "isActive" boolean NOT NULL DEFAULT true);
INSERT INTO "Member" VALUES (1, true), (2, false);
'''
DESIRED = '''CREATE TYPE "MemberState" AS ENUM ('ACTIVE', 'INACTIVE');
{directive}CREATE TABLE "Member" ("id" int PRIMARY KEY, "isActive" "MemberState" NOT NULL DEFAULT 'ACTIVE');
'''
DIRECTIVE = ('-- pgproof: convert column public."Member"."isActive" using '
             'CASE WHEN "isActive" THEN \'ACTIVE\' ELSE \'INACTIVE\' END::"MemberState"\n')


def test_no_cast_is_refused_by_name_and_the_directive_converts(pgproof, empty_db, tmp_path):
    run_sql(empty_db, TARGET)
    schema = tmp_path / "schema.sql"
    schema.write_text(DESIRED.format(directive=""))
    refused = pgproof("plan", "--db", empty_db, "--schema", str(schema), "--out", str(tmp_path / "no.sql"))
    assert refused.code == 1, refused.err
    assert "has no cast" in refused.err and "-- pgproof: convert column" in refused.err, refused.err
    assert "Traceback" not in refused.err and not (tmp_path / "no.sql").exists()

    schema.write_text(DESIRED.format(directive=DIRECTIVE))
    plan_path = tmp_path / "plan.sql"
    made = pgproof("plan", "--db", empty_db, "--schema", str(schema), "--out", str(plan_path))
    assert made.code == 0, made.err
    assert 'USING CAST(CASE WHEN "isActive" THEN' in plan_path.read_text()
    applied = pgproof("apply", str(plan_path), "--db", empty_db, "--yes", "--allow-hazards",
                      "ACCESS_EXCLUSIVE_LOCK,CONSTRAINT_VALIDATION,TABLE_REWRITE")
    assert applied.code == 0, applied.err
    assert run_sql(empty_db, 'SELECT "id", "isActive"::text FROM "Member" ORDER BY "id"') == [
        (1, "ACTIVE"), (2, "INACTIVE")]
    assert pgproof("drift", "--db", empty_db, "--schema", str(schema)).code == 0
    again = pgproof("plan", "--db", empty_db, "--schema", str(schema), "--out", str(tmp_path / "again.sql"))
    assert again.code == 0 and "Nothing to do" in again.err, again.err  # the directive now does nothing


def test_a_value_the_expression_cannot_convert_is_counted_before_the_plan(pgproof, empty_db, tmp_path):
    run_sql(empty_db, TARGET)
    schema = tmp_path / "schema.sql"
    wrong = DIRECTIVE.replace("'INACTIVE' END", "'GONE' END")  # not a label of the enum
    schema.write_text(DESIRED.format(directive=wrong))
    refused = pgproof("plan", "--db", empty_db, "--schema", str(schema), "--out", str(tmp_path / "plan.sql"))
    assert refused.code != 0, refused.err
    assert "not a label of" in refused.err and "isActive" in refused.err, refused.err
    assert "Traceback" not in refused.err and not (tmp_path / "plan.sql").exists()


def test_a_wrong_directive_is_one_error_at_file_line(pgproof, empty_db, tmp_path):
    run_sql(empty_db, TARGET)
    schema = tmp_path / "schema.sql"
    for directive, says in (
        ('-- pgproof: convert column public."Member"."isActive" using 1; DROP TABLE "Member"\n', "not one SQL expression"),
        ('-- pgproof: convert column public."Member"."active" using true\n', "does not declare"),
        ('-- pgproof: convert column "isActive" using true\n', "not a convert directive"),
    ):
        schema.write_text(DESIRED.format(directive=directive))
        result = pgproof("drift", "--db", empty_db, "--schema", str(schema))
        assert result.code == 1, result.err
        assert f"{schema}:2: " in result.err and says in result.err, result.err
        assert "Traceback" not in result.err
    assert run_sql(empty_db, 'SELECT count(*) FROM "Member"') == [(2,)]
