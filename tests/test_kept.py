"""Data a plan's DDL destroys is kept (plan/keep.py): a dropped column's values by key, a
dropped table in pgproof_trash, the values a narrowing type change alters; the recorded
rollback brings every value back, compared row by row with the state before."""

from __future__ import annotations

import json
import threading
import time

from conftest import run_sql

BEFORE = """CREATE TABLE public.people (id bigint PRIMARY KEY, name text NOT NULL, note text, score numeric(10,4),
                                        code text);
CREATE TABLE public.pets (owner_a int NOT NULL, owner_b text NOT NULL, nick text, UNIQUE (owner_a, owner_b));
CREATE TABLE public.logs (line text);
CREATE TABLE public.orders (id serial PRIMARY KEY, person_id bigint REFERENCES public.people (id), total int);
CREATE INDEX orders_total ON public.orders (total);
CREATE VIEW public.big_orders AS SELECT id, total FROM public.orders WHERE total > 10;
"""
ROWS = """INSERT INTO public.people SELECT g, 'p' || g, CASE WHEN g % 3 = 0 THEN NULL ELSE 'note ' || g || ' é''"' END,
          g / 7.0, repeat('x', g % 12) FROM generate_series(1, 2500) g;
INSERT INTO public.pets SELECT g, 'o' || g, 'nick' || g FROM generate_series(1, 300) g;
INSERT INTO public.logs VALUES ('a'), ('b');
INSERT INTO public.orders (person_id, total) SELECT g, g FROM generate_series(1, 40) g;
"""


def _write(tmp_path, name, text):
    path = tmp_path / f"{name}.sql"
    path.write_text(text)
    return path


def _apply(pgproof, db, path):
    codes = json.loads(pgproof("show", str(path), "--format", "json").out)["hazard_codes"]
    allowed = ("--allow-hazards", ",".join(codes)) if codes else ()
    return pgproof("apply", str(path), "--db", db, "--yes", *allowed)


def _everything(db):
    return {table: run_sql(db, f"SELECT to_jsonb(t)::text FROM public.{table} AS t ORDER BY 1")
            for table in ("people", "pets", "logs", "orders")}


def _roundtrip(pgproof, db, tmp_path, after: str):
    """Plan and apply `after`, then the recorded rollback: returns the plan's text."""
    run_sql(db, BEFORE + ROWS)
    before = _everything(db)
    out = tmp_path / "plan.sql"
    made = pgproof("plan", "--db", db, "--schema", str(_write(tmp_path, "after", after)), "--out", str(out))
    assert made.code == 0, made.err
    text = out.read_text()
    assert "proven NOT to work" not in (tmp_path / "plan.rollback.sql").read_text()
    applied = _apply(pgproof, db, out)
    assert applied.code == 0, applied.err
    entry = json.loads(pgproof("history", "--db", db, "--format", "json").out)["entries"][0]["id"]
    back = tmp_path / "back.sql"
    assert pgproof("rollback", str(entry), "--db", db, "--out", str(back)).code == 0
    undone = _apply(pgproof, db, back)
    assert undone.code == 0, undone.err
    assert _everything(db) == before  # every value back, row by row
    assert pgproof("drift", "--db", db, "--schema", str(_write(tmp_path, "before", BEFORE))).code == 0
    return text


def test_dropped_columns_are_kept_by_key_and_the_rollback_fills_them(pgproof, empty_db, tmp_path):
    after = BEFORE.replace(" note text,", "").replace(", nick text", "")
    text = _roundtrip(pgproof, empty_db, tmp_path, after)
    assert "kept in pgproof.kept_values (archive" in text and "UPDATE public.people AS pgproof_t" in text
    assert "what this cannot bring back" not in text


def test_a_narrowing_type_change_keeps_the_values_it_alters(pgproof, empty_db, tmp_path):
    after = BEFORE.replace("score numeric(10,4)", "score numeric(10,1)").replace("code text", "code varchar(5)")
    text = _roundtrip(pgproof, empty_db, tmp_path, after)
    assert text.count("kept in pgproof.kept_values") >= 2


def test_a_dropped_table_goes_to_the_trash_and_comes_back(pgproof, empty_db, tmp_path):
    after = BEFORE.split("CREATE TABLE public.orders")[0]
    text = _roundtrip(pgproof, empty_db, tmp_path, after)
    assert "kept: moved to pgproof_trash.orders__" in text
    assert run_sql(empty_db, "SELECT count(*) FROM pgproof.trash") == [(0,)]


def test_a_table_without_a_key_or_opted_out_is_dropped_as_before(pgproof, empty_db, tmp_path):
    run_sql(empty_db, BEFORE + ROWS)
    after = BEFORE.replace("(line text)", "(other int)").replace(" note text,", "") \
        + "-- pgproof: drop-without-archive public.people.note\n"
    out = tmp_path / "plan.sql"
    assert pgproof("plan", "--db", empty_db, "--schema", str(_write(tmp_path, "a", after)), "--out", str(out)).code == 0
    text = out.read_text()
    assert "not kept: public.logs has no primary key or unique key on NOT NULL columns" in text
    assert "not kept: `-- pgproof: drop-without-archive public.people.note`" in text
    assert "kept_values" not in text.split("\n\n", 1)[1].split("-- pgproof-data")[0].replace("-- ", "")


def test_trash_list_restore_and_purge(pgproof, empty_db, tmp_path):
    run_sql(empty_db, BEFORE + ROWS)
    gone = BEFORE.split("CREATE TABLE public.logs")[0]
    for n, schema in enumerate((gone, gone + "CREATE TABLE public.logs (line text);\n", gone)):
        out = tmp_path / f"p{n}.sql"
        assert pgproof("plan", "--db", empty_db, "--schema", str(_write(tmp_path, f"s{n}", schema)),
                       "--out", str(out)).code == 0
        assert _apply(pgproof, empty_db, out).code == 0
    listed = json.loads(pgproof("trash", "list", "--db", empty_db, "--format", "json").out)["entries"]
    tables = [e for e in listed if e["what"] == "table"]
    assert sorted(e["source"] for e in tables) == ["public.logs", "public.logs", "public.orders"]
    first = next(e for e in tables if e["source"] == "public.logs" and e["rows"] == 2)
    assert pgproof("trash", "list", "--db", empty_db).code == 0
    taken = pgproof("trash", "restore", "nope", "--db", empty_db)
    assert taken.code == 1 and "pgproof trash list" in taken.err
    restored = pgproof("trash", "restore", first["name"], "--db", empty_db)
    assert restored.code == 0, restored.err
    assert run_sql(empty_db, "SELECT line FROM public.logs ORDER BY 1") == [("a",), ("b",)]
    other = next(e for e in tables if e["source"] == "public.logs" and e["name"] != first["name"])
    refused = pgproof("trash", "restore", other["name"], "--db", empty_db)
    assert refused.code == 3 and "public.logs exists" in refused.err
    assert pgproof("trash", "purge", "--db", empty_db, "--older-than", "1").code == 0
    assert len(json.loads(pgproof("trash", "list", "--db", empty_db, "--format", "json").out)["entries"]) == 2
    assert pgproof("trash", "purge", "--db", empty_db, "--older-than", "0").code == 0
    assert json.loads(pgproof("trash", "list", "--db", empty_db, "--format", "json").out)["entries"] == []
    assert run_sql(empty_db, "SELECT count(*) FROM pg_class WHERE relnamespace = 'pgproof_trash'::regnamespace") == [(0,)]


def test_a_fault_mid_archive_is_finished_by_a_plain_rerun(pgproof, empty_db, tmp_path):
    run_sql(empty_db, BEFORE + ROWS + "INSERT INTO public.people SELECT g, 'p', 'n' || g FROM generate_series(3000, 400000) g;")
    before = _everything(empty_db)
    out = tmp_path / "plan.sql"
    after = BEFORE.replace(" note text,", "")
    assert pgproof("plan", "--db", empty_db, "--schema", str(_write(tmp_path, "after", after)), "--out", str(out)).code == 0
    stopped = []

    def terminate() -> None:  # the archive's backend, once some batches are committed
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not stopped:
            rows = run_sql(empty_db, "SELECT pid FROM pg_stat_activity WHERE query LIKE 'DO $pgproof$%' "
                                     "AND pid <> pg_backend_pid()")
            if rows and run_sql(empty_db, "SELECT coalesce((SELECT reltuples FROM pg_class WHERE oid = "
                                          "to_regclass('pgproof.kept_values')), 0) + coalesce((SELECT n_tup_ins FROM "
                                          "pg_stat_user_tables WHERE relid = to_regclass('pgproof.kept_values')), 0)"
                                          )[0][0] < 20000:
                rows = []
            if rows:
                stopped.append(run_sql(empty_db, f"SELECT pg_terminate_backend({rows[0][0]})"))
            time.sleep(0.02)

    killer = threading.Thread(target=terminate)
    killer.start()
    first = _apply(pgproof, empty_db, out)
    killer.join()
    assert stopped and first.code != 0, first.err
    assert "run the same apply again" in first.err
    kept = run_sql(empty_db, "SELECT count(*) FROM pgproof.kept_values")[0][0]
    assert 0 < kept < 400000
    again = _apply(pgproof, empty_db, out)
    assert again.code == 0, again.err
    assert "resum" in again.err.lower()
    entry = json.loads(pgproof("history", "--db", empty_db, "--format", "json").out)["entries"][0]["id"]
    back = tmp_path / "back.sql"
    assert pgproof("rollback", str(entry), "--db", empty_db, "--out", str(back)).code == 0
    assert _apply(pgproof, empty_db, back).code == 0
    assert _everything(empty_db) == before
