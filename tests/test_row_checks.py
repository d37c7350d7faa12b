"""Rows that would make a statement fail are counted at plan time: a plan whose rows no
data fix resolves is refused with the count, the keys of the rows and a data fix
skeleton per statement; filled in and saved as the plan's fixes, the plan is written,
names each fix as the resolver, applies, and leaves no drift. One database holds every
kind of statement (a NOT NULL column without a default, SET NOT NULL, CHECK, FOREIGN
KEY, UNIQUE, a type change, an enum label dropped, a vector dimension change)."""

from __future__ import annotations

import json

from conftest import run_sql

BEFORE = """
CREATE EXTENSION IF NOT EXISTS vector;
CREATE TYPE mood AS ENUM ('sad', 'happy', 'meh');
CREATE TABLE authors (id int PRIMARY KEY, name text);
CREATE TABLE posts (id int PRIMARY KEY, author_id int, title text, score int, rating text, mood mood,
                    embedding vector(3), slug text);
CREATE TABLE tags (id int PRIMARY KEY, label text);
INSERT INTO authors VALUES (1, 'ann'), (2, 'bob');
INSERT INTO posts VALUES
    (1, 1, 'one', 1, '5', 'sad', '[1,2,3]', 'one'),
    (2, 1, NULL, 2, '4', 'happy', NULL, 'two'),
    (3, 2, 'three', -3, '3', 'sad', NULL, 'three'),
    (4, 2, NULL, 4, NULL, NULL, '[4,5,6]', 'four'),
    (5, 99, 'five', 5, '2', 'happy', NULL, 'five'),
    (6, 1, 'six', 6, '1', 'sad', NULL, 'dup'),
    (7, 1, 'seven', 7, 'x', 'sad', NULL, 'dup'),
    (8, 2, 'eight', 8, '99999999999', 'meh', NULL, 'eight');
INSERT INTO tags VALUES (1, 'a'), (2, 'b');
"""

AFTER = """
CREATE EXTENSION IF NOT EXISTS vector;
CREATE TYPE mood AS ENUM ('sad', 'happy');
CREATE TABLE authors (id int PRIMARY KEY, name text);
CREATE TABLE posts (
    id int PRIMARY KEY,
    author_id int REFERENCES authors (id),
    title text NOT NULL,
    score int CHECK (score >= 0),
    rating integer,
    mood mood,
    embedding vector(2),
    slug text UNIQUE
);
CREATE TABLE tags (id int PRIMARY KEY, label text, weight int NOT NULL);
"""

# What the refusal says of each statement: its rows, counted, and their keys.
REFUSED = [
    "public.posts: 1 rows hold a value of mood that is not a label of public.mood (sad, happy); rows id 8",
    "public.posts: 2 rows hold an embedding in embedding of other than 2 dimensions (clear them, and re-embed "
    "after apply); rows id 1, 4",
    "public.posts: 2 rows have NULL in title, which the plan makes NOT NULL; rows id 2, 4",
    "public.tags: 2 rows have no value for the new NOT NULL column weight (it has no default); rows id 1, 2",
    "public.posts has 1 groups of rows with equal (slug): posts_slug_key fails unless a data fix removes them "
    "first; rows id 6, 7",
    "public.posts: 1 rows have no match in public.authors for foreign key posts_author_id_fkey (author_id); rows id 5",
    "public.posts: 1 rows violate check posts_score_check (score >= 0); rows id 3",
]
# PostgreSQL 16 tells which texts are integers (pg_input_is_valid); 15 can only try the cast.
RATING = {
    "exact": "public.posts: 2 rows hold a value of rating that does not convert to integer; rows id 7, 8",
    "tried": 'public.posts: at least 1 row (not counted exactly: the conversion is only tried) and maybe more hold '
             'a value of rating that does not convert to integer; the target says: invalid input syntax for type '
             'integer: "x"',
}
# What each skeleton's TODO becomes: the value the rows get (by the column it sets).
VALUES = {"mood": "'sad'", "title": "'untitled'", "score": "0", "author_id": "NULL", "rating": "NULL"}


def test_rows_that_fail_a_statement_refuse_the_plan_and_its_fixes_resolve_them(
        pgproof, empty_db, pg_major, tmp_path, monkeypatch):
    run_sql(empty_db, BEFORE)
    (tmp_path / "schema.sql").write_text(AFTER)
    (tmp_path / "pyproject.toml").write_text('[tool.pgproof]\nschema = "schema.sql"\nfixes = "fixes"\n')
    monkeypatch.chdir(tmp_path)

    refused = pgproof("plan", "--db", empty_db, "--out", "plan.sql")
    assert refused.code == 3, refused.err
    message = " ".join(refused.err.split())
    for words in REFUSED + [RATING["exact" if pg_major >= 16 else "tried"]]:
        assert words in message, (words, message)
    assert "no plan was written" in message and not (tmp_path / "plan.sql").exists()
    skeletons = sorted(tmp_path.glob("plan.fix-skeleton-*.sql"), key=lambda p: message.index(p.name))
    assert len(skeletons) == 8 and all(p.name in message for p in skeletons)
    assert not (tmp_path / "fixes").exists()  # never written into the fixes folder

    (tmp_path / "fixes").mkdir()
    for number, skeleton in enumerate(skeletons, start=1):
        text = skeleton.read_text()
        column = next((c for c in VALUES if f"SET {c} = TODO_choose_the_new_value" in text), None)
        if column:
            text = text.replace("TODO_choose_the_new_value", VALUES[column])
        text = text.replace("TODO_the_values_that_do_not_convert", "pgproof_row.rating !~ '^[0-9]{1,9}$'")
        (tmp_path / "fixes" / f"{number:04d}_fix.sql").write_text(text)

    made = pgproof("plan", "--db", empty_db, "--out", "plan.sql", "--format", "json")
    assert made.code == 0, made.err
    plan = (tmp_path / "plan.sql").read_text()
    for number in range(1, 9):
        assert f"(resolved by data fix {number:04d}_fix, which runs first)" in plan, number
    allowed = ",".join(json.loads(made.out)["hazard_codes"])
    assert "CONSTRAINT_VALIDATION: public.posts: 2 rows have NULL" not in allowed

    done = pgproof("apply", "plan.sql", "--db", empty_db, "--yes", "--allow-hazards", allowed)
    assert done.code == 0, done.err
    assert pgproof("drift", "--db", empty_db).code == 0
    assert run_sql(empty_db, "SELECT table_name, count(*) FROM pgproof.archived_rows GROUP BY 1 ORDER BY 1") == [
        ("public.posts", 1), ("public.tags", 2)]
    assert run_sql(empty_db, "SELECT id, title, score, author_id, rating, mood::text, embedding IS NULL "
                             "FROM posts WHERE id IN (2, 3, 5, 8) ORDER BY id") == [
        (2, "untitled", 2, 1, 4, "happy", True), (3, "three", 0, 2, 3, "sad", True),
        (5, "five", 5, None, 2, "happy", True), (8, "eight", 8, 2, None, "sad", True)]


def test_apply_counts_again_and_stops_before_the_first_statement(pgproof, empty_db, tmp_path, monkeypatch):
    """Rows that arrive after review: apply counts every check again and stops, with the
    statement and its rows, before it changes anything; a count cut off is said."""
    run_sql(empty_db, "CREATE TABLE t (id int PRIMARY KEY, a int); INSERT INTO t VALUES (1, 1)")
    schema = tmp_path / "schema.sql"
    schema.write_text("CREATE TABLE t (id int PRIMARY KEY, a int NOT NULL);\nCREATE INDEX t_a ON t (a);\n")
    made = pgproof("plan", "--db", empty_db, "--schema", str(schema), "--out", str(tmp_path / "plan.sql"))
    assert made.code == 0, made.err
    run_sql(empty_db, "INSERT INTO t VALUES (2, NULL), (3, NULL)")
    stopped = pgproof("apply", str(tmp_path / "plan.sql"), "--db", empty_db, "--yes", "--allow-hazards",
                      "INDEX_BUILD,CONSTRAINT_VALIDATION,ACCESS_EXCLUSIVE_LOCK")
    assert stopped.code == 1
    assert "would fail: public.t: 2 rows have NULL in a, which the plan makes NOT NULL; rows id 2, 3" in stopped.err
    assert "no statement was applied" in stopped.err
    assert run_sql(empty_db, "SELECT count(*) FROM pg_indexes WHERE indexname = 't_a'") == [(0,)]

    monkeypatch.setenv("PGPROOF_ROW_CHECK_TIMEOUT_MS", "1")
    run_sql(empty_db, "INSERT INTO t SELECT g, g FROM generate_series(4, 200000) AS g")
    cut = pgproof("plan", "--db", empty_db, "--schema", str(schema), "--out", str(tmp_path / "plan2.sql"))
    assert cut.code == 0, cut.err
    assert "the count of rows that have NULL in a, which the plan makes NOT NULL was cut off after 0.001 s " \
           "(row_check_timeout_ms)" in " ".join(cut.out.split())
