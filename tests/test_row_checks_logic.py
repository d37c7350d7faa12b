"""Which row check each statement gets (plan/row_checks.py), table-driven, without a
server: the statements are parsed and the target is a catalog written out as data."""

from __future__ import annotations

import pytest

from pgproof.core.statement import Statement
from pgproof.plan.row_checks import RowCheck, Schema, checks, fix_keys
from pgproof.read.catalog import Catalog, CatalogObject


def catalog() -> Catalog:
    objects = [
        CatalogObject("table", "public.posts", "public", "posts", None, {}),
        CatalogObject("table", "public.authors", "public", "authors", None, {}),
        CatalogObject("constraint", "public.authors.authors_pkey", "public", "authors_pkey", "public.authors",
                      {"type": "p", "definition": "PRIMARY KEY (id)"}),
        CatalogObject("constraint", "public.posts.posts_score_check", "public", "posts_score_check", "public.posts",
                      {"type": "c", "definition": "CHECK (score >= 0) NOT VALID"}),
        CatalogObject("type", "public.mood", "public", "mood", None, {"kind": "enum", "labels": ["sad", "happy"]}),
    ]
    columns = {"id": "integer", "title": "text", "score": "bigint", "rating": "text", "price": "double precision",
               "label": "character varying(50)", "embedding": "public.vector(3)", "mood": "public.mood",
               "author_id": "integer", "small": "smallint"}
    objects += [CatalogObject("column", f"public.posts.{name}", "public", name, "public.posts", {"type": kind})
                for name, kind in columns.items()]
    return Catalog({(o.kind, o.key): o for o in objects})


# (name, statements, server major, expected [(statement, kind, words of its count query)])
CASES = [
    ("NOT NULL column without a default: every row", ["ALTER TABLE posts ADD COLUMN words int NOT NULL"], 18,
     [(1, "not_null_added", "FROM public.posts AS pgproof_row WHERE true")]),
    ("NOT NULL column with a default: nothing", ["ALTER TABLE posts ADD COLUMN words int NOT NULL DEFAULT 0"], 18, []),
    ("NOT NULL identity column: nothing",
     ["ALTER TABLE posts ADD COLUMN n int GENERATED ALWAYS AS IDENTITY NOT NULL"], 18, []),
    ("SET NOT NULL: NULLs", ["ALTER TABLE posts ALTER COLUMN title SET NOT NULL"], 18,
     [(1, "not_null", "WHERE pgproof_row.title IS NULL")]),
    ("the online SET NOT NULL asks once, at its first statement",
     ["ALTER TABLE public.posts ADD CONSTRAINT pgproof_nn_title CHECK (title IS NOT NULL) NOT VALID",
      "ALTER TABLE public.posts VALIDATE CONSTRAINT pgproof_nn_title",
      "ALTER TABLE public.posts ALTER COLUMN title SET NOT NULL"], 18,
     [(1, "not_null", "WHERE pgproof_row.title IS NULL")]),
    ("a column the plan adds with a default, then NOT NULL: nothing",
     ["ALTER TABLE posts ADD COLUMN words int DEFAULT 0", "ALTER TABLE posts ALTER COLUMN words SET NOT NULL"], 18, []),
    ("a column the plan adds without a default, then NOT NULL: every row",
     ["ALTER TABLE posts ADD COLUMN words int", "ALTER TABLE posts ALTER COLUMN words SET NOT NULL"], 18,
     [(2, "not_null_added", "WHERE true")]),
    ("CHECK NOT VALID counts: VALIDATE comes later",
     ["ALTER TABLE posts ADD CONSTRAINT positive CHECK (score >= 0) NOT VALID",
      "ALTER TABLE posts VALIDATE CONSTRAINT positive"], 18,
     [(1, "check", "WHERE (score >= 0) IS FALSE")]),
    ("VALIDATE of a check the target has NOT VALID", ["ALTER TABLE posts VALIDATE CONSTRAINT posts_score_check"], 18,
     [(1, "check", "WHERE (score >= 0) IS FALSE")]),
    ("NOT VALID that the plan never validates: its rows are never checked",
     ["ALTER TABLE posts ADD CONSTRAINT fk FOREIGN KEY (author_id) REFERENCES authors NOT VALID"], 18, []),
    ("FOREIGN KEY: orphans, by the referenced primary key",
     ["ALTER TABLE posts ADD CONSTRAINT fk FOREIGN KEY (author_id) REFERENCES authors NOT VALID",
      "ALTER TABLE posts VALIDATE CONSTRAINT fk"], 18,
     [(1, "foreign_key", "pgproof_row.author_id IS NOT NULL AND NOT EXISTS (SELECT FROM public.authors AS "
                         "pgproof_ref WHERE pgproof_ref.id = pgproof_row.author_id)")]),
    ("FOREIGN KEY to a table the plan creates: every non-NULL key",
     ["CREATE TABLE editors (id int PRIMARY KEY)",
      "ALTER TABLE posts ADD CONSTRAINT fk FOREIGN KEY (author_id) REFERENCES editors (id)"], 18,
     [(2, "foreign_key", "WHERE pgproof_row.author_id IS NOT NULL")]),
    ("FOREIGN KEY MATCH FULL: a partly NULL key fails too",
     ["ALTER TABLE posts ADD CONSTRAINT fk FOREIGN KEY (author_id, score) REFERENCES authors (id, n) MATCH FULL"], 18,
     [(1, "foreign_key", "OR ((pgproof_row.author_id IS NULL OR pgproof_row.score IS NULL) AND NOT")]),
    ("UNIQUE index: duplicate groups, NULLs apart", ["CREATE UNIQUE INDEX u ON posts (title)"], 18,
     [(1, "unique", "WHERE title IS NOT NULL GROUP BY title HAVING count(*) > 1")]),
    ("partial UNIQUE index NULLS NOT DISTINCT",
     ["CREATE UNIQUE INDEX u ON posts (title) NULLS NOT DISTINCT WHERE score > 0"], 18,
     [(1, "unique", "WHERE (score > 0) GROUP BY title")]),
    ("ADD PRIMARY KEY: duplicates and NULLs", ["ALTER TABLE posts ADD CONSTRAINT pk PRIMARY KEY (title)"], 18,
     [(1, "unique", "GROUP BY title"), (1, "not_null", "WHERE pgproof_row.title IS NULL")]),
    ("UNIQUE USING INDEX: checked at its CREATE UNIQUE INDEX",
     ["CREATE UNIQUE INDEX CONCURRENTLY u ON posts (title)", "ALTER TABLE posts ADD CONSTRAINT u UNIQUE USING INDEX u"],
     18, [(1, "unique", "GROUP BY title")]),
    ("a table the plan creates is empty",
     ["CREATE TABLE t (a int)", "ALTER TABLE t ALTER COLUMN a SET NOT NULL", "CREATE UNIQUE INDEX ON t (a)"], 18, []),
    ("an enum label dropped: values not among the new labels",
     ['alter type "public"."mood" rename to "mood__old_version_to_be_dropped"',
      "create type \"public\".\"mood\" as enum ('sad')",
      'alter table "public"."posts" alter column mood type "public"."mood" using mood::text::"public"."mood"'], 18,
     [(3, "type_change", "(pgproof_row.mood::text)::text <> ALL (ARRAY['sad'])")]),
    ("text to an existing enum: its labels from the catalog",
     ['alter table posts alter column rating type public.mood using rating::public.mood'], 15,
     [(1, "type_change", "<> ALL (ARRAY['sad', 'happy'])")]),
    ("vector dimension: stored embeddings of another dimension",
     ['alter table "public"."posts" alter column "embedding" set data type public.vector(2) using "embedding"::public.vector(2)'],
     18, [(1, "type_change", "public.vector_dims(pgproof_row.embedding) <> 2")]),
    ("bigint to integer: out of range", ["ALTER TABLE posts ALTER COLUMN score TYPE integer USING score::integer"], 18,
     [(1, "type_change", "WHERE pgproof_row.score NOT BETWEEN -2147483648 AND 2147483647")]),
    ("float to smallint: rounded, then out of range", ["ALTER TABLE posts ALTER COLUMN price TYPE smallint"], 18,
     [(1, "type_change", "round(pgproof_row.price) NOT BETWEEN -32768 AND 32767")]),
    ("smallint to integer: every value fits", ["ALTER TABLE posts ALTER COLUMN small TYPE integer"], 18, []),
    ("to numeric(5,2): too many digits",
     ["ALTER TABLE posts ALTER COLUMN price TYPE numeric(5,2) USING price::numeric(5,2)"], 18,
     [(1, "type_change", "abs(round((pgproof_row.price)::numeric, 2)) >= 1e3")]),
    ("text to integer on 16+: pg_input_is_valid", ["ALTER TABLE posts ALTER COLUMN rating TYPE integer USING rating::integer"],
     16, [(1, "type_change", "NOT pg_input_is_valid((pgproof_row.rating)::text, 'integer')")]),
    ("text to integer on 15: the conversion is tried",
     ["ALTER TABLE posts ALTER COLUMN rating TYPE integer USING rating::integer"],
     15, [(1, "type_change", "WHERE num_nulls(CAST(rating AS integer)) < 0")]),
    ("a convert directive's expression to an enum: its text must be a label",
     ["create type \"public\".\"State\" as enum ('ON', 'OFF')",
      'ALTER TABLE public.posts ALTER COLUMN "score" TYPE public."State" '
      'USING CAST(CASE WHEN score > 0 THEN \'ON\' ELSE \'OFF\' END AS "State")'], 18,
     [(2, "type_change", "(CASE WHEN score > 0 THEN 'ON' ELSE 'OFF' END)::text <> ALL (ARRAY['ON', 'OFF'])")]),
    ("an array of an enum is no label: the conversion is tried",
     ['ALTER TABLE public.posts ALTER COLUMN "rating" TYPE public.mood[] USING "rating"::text[]::public.mood[]'], 18,
     [(1, "type_change", "num_nulls(")]),
    ("narrowing a varchar never fails (an explicit cast truncates)",
     ["ALTER TABLE posts ALTER COLUMN label TYPE varchar(5) USING label::varchar(5)"], 18, []),
]


@pytest.mark.parametrize("name, statements, major, expected", CASES, ids=[c[0] for c in CASES])
def test_the_check_of_each_statement(name, statements, major, expected):
    found = checks([Statement(sql) for sql in statements], Schema(catalog(), major))
    assert [(c.statement, c.kind) for c in found] == [(n, kind) for n, kind, _ in expected], found
    for check, (_, _, words) in zip(found, expected):
        assert words in check.count_sql, check.count_sql


def test_a_check_names_what_a_fix_resolves_it_by():
    [check] = checks([Statement("ALTER TABLE posts ADD CONSTRAINT fk FOREIGN KEY (author_id) REFERENCES authors")],
                     Schema(catalog(), 18))
    assert check.keys == ("fk", "public.posts.author_id")
    assert "ORDER BY pgproof_row.id LIMIT 5" in check.examples_sql(("id",))


@pytest.mark.parametrize("check_sql, resolves, expected", [
    ("SELECT count(*) FROM public.segments WHERE speaker_label IS NULL", (), {"public.segments.speaker_label"}),
    ("SELECT count(*) FROM posts p JOIN authors a ON a.id = p.author_id", (),
     {"public.posts.author_id", "public.authors.id", "public.posts.id", "public.authors.author_id"}),
    ("SELECT count(*) FROM (SELECT id <> first_value(id) OVER (PARTITION BY video_id ORDER BY embedding IS NULL) "
     "AS d FROM segments) AS r WHERE d", (), {"public.segments.d"}),  # sorted by embedding: not a condition on it
    ("SELECT 0", ("uq_segments_video_text", "sources.title", "public.tags.weight"),
     {"uq_segments_video_text", "public.sources.title", "public.tags.weight"}),
])
def test_the_names_a_fix_resolves(check_sql, resolves, expected):
    assert set(fix_keys(check_sql, resolves)) == expected


def test_row_check_is_data():
    check = RowCheck(1, "not_null", "public.t", "have NULL in a", ("a",), violates="pgproof_row.a IS NULL")
    assert check.count_sql == "SELECT count(*) FROM public.t AS pgproof_row WHERE pgproof_row.a IS NULL"
