"""Never a wrong "no drift": objects of kinds pgproof does not compare make `drift` exit 2
naming them by kind and count (unless the user ignores the kind); default privileges,
rules and event triggers are compared; two runs at once create the same scratch role
without colliding."""

from __future__ import annotations

import json
import threading

import pytest

from conftest import run_sql
from pgproof.diff import grants

TABLE = "CREATE TABLE public.items (id int PRIMARY KEY, a int, b int);\n"

# Per group: what the target has beyond TABLE, and the kinds drift must name. Several kinds
# share one database to keep the time down.
GROUPS = {
    "replication": (
        """
        CREATE PUBLICATION pgp_pub FOR TABLE public.items;
        CREATE SUBSCRIPTION pgp_sub CONNECTION 'dbname=pgp_nowhere' PUBLICATION pgp_pub
          WITH (connect = false, enabled = false, create_slot = false, slot_name = NONE);
        COMMENT ON PUBLICATION pgp_pub IS 'outbound';
        """,
        {"publication": 1, "subscription": 1},
    ),
    "operators": (
        """
        CREATE OPERATOR public.=== (LEFTARG = int, RIGHTARG = int, FUNCTION = public.same);
        CREATE OPERATOR CLASS public.pgp_ops FOR TYPE int USING btree AS
          OPERATOR 1 <, OPERATOR 2 <=, OPERATOR 3 =, OPERATOR 4 >=, OPERATOR 5 >, FUNCTION 1 btint4cmp(int, int);
        CREATE OPERATOR FAMILY public.pgp_family USING hash;
        CREATE CAST (public.items AS text) WITH INOUT;
        """,
        {"operator": 1, "operator class": 1, "operator family": 1, "aggregate": 1, "cast": 1},
    ),
    "search and more": (
        """
        CREATE TEXT SEARCH CONFIGURATION public.pgp_config (COPY = english);
        CREATE TEXT SEARCH DICTIONARY public.pgp_dict (TEMPLATE = simple);
        CREATE STATISTICS public.pgp_stats ON a, b FROM public.items;
        CREATE CONVERSION public.pgp_conversion FOR 'LATIN1' TO 'UTF8' FROM iso8859_1_to_utf8;
        CREATE ACCESS METHOD pgp_am TYPE TABLE HANDLER heap_tableam_handler;
        CREATE LANGUAGE pgp_lang HANDLER plpgsql_call_handler;
        COMMENT ON COLLATION public.pgp_coll IS 'noted';
        """,
        {"text search configuration": 1, "text search dictionary": 1, "extended statistics": 1,
         "conversion": 1, "access method": 1, "language": 1, "collation comment": 1},
    ),
}
# On both sides: what the objects above need, and an aggregate that differs only in its
# initial state (pgproof compares aggregates by signature only).
BOTH = """
CREATE COLLATION public.pgp_coll FROM "C";
CREATE FUNCTION public.same(int, int) RETURNS bool LANGUAGE sql IMMUTABLE RETURN $1 = $2;
CREATE AGGREGATE public.pgp_sum(int) (SFUNC = int4pl, STYPE = int{initial});
"""
TARGET_BOTH, DESIRED_BOTH = BOTH.format(initial=""), BOTH.format(initial=", INITCOND = '0'")

# Foreign data: the same wrapper, server, mapping and foreign table on both sides (the
# table's server option differs): still reported, since pgproof cannot tell.
FOREIGN = """
CREATE FOREIGN DATA WRAPPER pgp_fdw;
CREATE SERVER pgp_server FOREIGN DATA WRAPPER pgp_fdw;
CREATE USER MAPPING FOR PUBLIC SERVER pgp_server;
CREATE FOREIGN TABLE public.remote (id int) SERVER pgp_server OPTIONS (name '{name}');
"""


@pytest.fixture
def project(tmp_path, monkeypatch, pgproof):
    def make(schema: str, **settings: str) -> None:
        (tmp_path / "schema.sql").write_text(schema)
        lines = ['schema = "schema.sql"'] + [f"{k} = {v}" for k, v in settings.items()]
        (tmp_path / "pyproject.toml").write_text("[tool.pgproof]\n" + "\n".join(lines) + "\n")
        monkeypatch.chdir(tmp_path)
    return make


def _drop_subscriptions(url: str) -> None:
    """A database with a subscription cannot be dropped."""
    for (name,) in run_sql(url, "SELECT subname FROM pg_subscription s JOIN pg_database d ON d.oid = s.subdbid "
                                "WHERE d.datname = current_database()"):
        run_sql(url, f"ALTER SUBSCRIPTION {name} DISABLE; ALTER SUBSCRIPTION {name} SET (slot_name = NONE); "
                     f"DROP SUBSCRIPTION {name}")


@pytest.mark.parametrize("group", list(GROUPS))
def test_a_kind_pgproof_does_not_compare_makes_drift_exit_2_naming_it(pgproof, empty_db, project, group):
    extra, kinds = GROUPS[group]
    run_sql(empty_db, TABLE + TARGET_BOTH + extra)
    kinds = {**kinds, "aggregate": 1}
    try:
        project(TABLE + DESIRED_BOTH)
        text = pgproof("drift", "--db", empty_db)
        assert text.code == 2, text.out + text.err
        assert "No drift" not in text.out and "Not verified" in text.out, text.out
        for kind, count in kinds.items():
            assert f"{count} {kind}" in text.out, (kind, text.out)
        if group == "replication":  # the other formats once (CI time)
            report = json.loads(pgproof("drift", "--db", empty_db, "--format", "json").out)
            assert report["drifted"] is True and report["differences"] == []
            assert {k: len(v) for k, v in report["not_compared"]["target"].items()} == kinds
            assert report["not_compared"]["desired"] == {"aggregate": ["public.pgp_sum(integer)"]}
            markdown = pgproof("drift", "--db", empty_db, "--format", "markdown")
            assert markdown.code == 2 and "Not verified" in markdown.out
        # the way out the note prints works
        ignore = json.dumps(sorted(kinds))
        assert "ignore_kinds = [" in text.out
        project(TABLE + DESIRED_BOTH, ignore_kinds=ignore)
        ignored = pgproof("drift", "--db", empty_db)
        assert ignored.code == 0 and "No drift" in ignored.out, ignored.out + ignored.err
    finally:
        _drop_subscriptions(empty_db)


def test_same_foreign_objects_on_both_sides_are_still_reported(pgproof, empty_db, project, tmp_path):
    run_sql(empty_db, TABLE + FOREIGN.format(name="old"))
    project(TABLE + FOREIGN.format(name="new"))
    drift = pgproof("drift", "--db", empty_db)
    assert drift.code == 2, drift.out + drift.err
    for kind in ("1 foreign data wrapper", "1 foreign server", "1 user mapping", "1 foreign table"):
        assert kind in drift.out
    assert "on the target" in drift.out and "in the desired schema" in drift.out
    made = pgproof("plan", "--db", empty_db, "--out", str(tmp_path / "plan.sql"))
    assert "not compared: 1 foreign data wrapper" in made.err, made.err
    assert "Nothing to do in what pgproof compares" in made.err
    diff = pgproof("diff", "--db", empty_db)
    assert "not compared: 1 foreign data wrapper" in diff.err, diff.err
    assert "No changes in what pgproof compares" in diff.err


def test_an_ignored_kind_is_accepted_and_an_unknown_one_refused(pgproof, empty_db, project):
    run_sql(empty_db, TABLE + "CREATE PUBLICATION pgp_pub FOR TABLE public.items;")
    project(TABLE, ignore_kinds='["publication"]')
    assert pgproof("drift", "--db", empty_db).code == 0
    project(TABLE, ignore_kinds='["publications"]')
    wrong = pgproof("drift", "--db", empty_db)
    assert wrong.code == 1 and "'publications', which is not a kind" in wrong.err


def test_objects_of_an_extension_are_not_counted(pgproof, empty_db, project):
    run_sql(empty_db, "CREATE EXTENSION IF NOT EXISTS vector;" + TABLE)
    project("CREATE EXTENSION IF NOT EXISTS vector;" + TABLE)  # pgvector brings operators, classes, casts
    drift = pgproof("drift", "--db", empty_db)
    assert drift.code == 0, drift.out + drift.err


def test_a_default_privilege_is_drift_when_privileges_are_managed(pgproof, empty_db, project, tmp_path):
    run_sql(empty_db, TABLE + "ALTER DEFAULT PRIVILEGES GRANT SELECT ON TABLES TO PUBLIC;")
    project(TABLE, managed_roles='["PUBLIC"]')
    drift = pgproof("drift", "--db", empty_db)
    assert drift.code == 2, drift.out + drift.err
    assert "privilege DEFAULT" in drift.out and "Not verified" not in drift.out
    assert "ALTER DEFAULT PRIVILEGES" in drift.out and "REVOKE SELECT ON TABLES FROM PUBLIC" in drift.out


def test_two_runs_create_the_same_scratch_role_at_once(pg_server):
    role = "pgp_race_role"
    run_sql(pg_server.url, f"DROP ROLE IF EXISTS {role}")
    failures: list[BaseException] = []
    start = threading.Barrier(4)

    def create() -> None:
        start.wait()
        try:
            grants.create_scratch_roles(pg_server.url, [role])
        except BaseException as exc:  # noqa: BLE001 - any failure fails the test
            failures.append(exc)

    for _ in range(5):
        run_sql(pg_server.url, f"DROP ROLE IF EXISTS {role}")
        workers = [threading.Thread(target=create) for _ in range(4)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
    assert not failures, failures
    assert run_sql(pg_server.url, f"SELECT count(*) FROM pg_roles WHERE rolname = '{role}'") == [(1,)]


RULES_BASE = TABLE + """
CREATE TABLE public.log (id int, note text);
CREATE VIEW public.names AS SELECT id, a FROM public.items;
CREATE FUNCTION public.on_ddl() RETURNS event_trigger LANGUAGE plpgsql AS $$ BEGIN NULL; END $$;
"""
RULES_TARGET = RULES_BASE + """
CREATE RULE pgp_gone AS ON DELETE TO public.log DO INSTEAD NOTHING;
CREATE RULE pgp_changed AS ON INSERT TO public.items DO ALSO INSERT INTO public.log VALUES (new.id, 'old');
CREATE EVENT TRIGGER pgp_old_ddl ON ddl_command_end EXECUTE FUNCTION public.on_ddl();
"""
RULES_DESIRED = RULES_BASE + """
CREATE RULE pgp_changed AS ON INSERT TO public.items DO ALSO INSERT INTO public.log VALUES (new.id, 'new');
CREATE RULE pgp_new AS ON UPDATE TO public.names DO INSTEAD UPDATE public.items SET a = new.a WHERE id = old.id;
COMMENT ON RULE pgp_new ON public.names IS 'writable view';
CREATE EVENT TRIGGER pgp_ddl ON ddl_command_start WHEN TAG IN ('CREATE TABLE', 'DROP TABLE')
  EXECUTE FUNCTION public.on_ddl();
ALTER EVENT TRIGGER pgp_ddl DISABLE;
"""


def test_rules_and_event_triggers_are_compared_planned_and_applied(pgproof, empty_db, project, tmp_path):
    run_sql(empty_db, RULES_TARGET)
    try:
        project(RULES_DESIRED)
        drift = pgproof("drift", "--db", empty_db)
        assert drift.code == 2, drift.out + drift.err
        for line in ("extra rule public.log.pgp_gone", "different rule public.items.pgp_changed",
                     "missing rule public.names.pgp_new", "extra event trigger pgp_old_ddl",
                     "missing event trigger pgp_ddl", "comment RULE pgp_new ON public.names"):
            assert line in drift.out, (line, drift.out)
        assert "Not verified" not in drift.out and "superuser objects" in drift.out
        plan = tmp_path / "plan.sql"
        made = pgproof("plan", "--db", empty_db, "--out", str(plan))
        assert made.code == 0, made.out + made.err
        applied = pgproof("apply", str(plan), "--db", empty_db, "--yes")
        assert applied.code == 0, applied.out + applied.err
        after = pgproof("drift", "--db", empty_db)
        assert after.code == 0 and "No drift" in after.out, after.out + after.err
        written = tmp_path / "inspected.sql"  # inspect writes them too, as pgproof compares them
        assert pgproof("inspect", "--db", empty_db, "--out", str(written)).code == 0
        assert "CREATE EVENT TRIGGER pgp_ddl" in written.read_text()
        assert pgproof("drift", "--db", empty_db, "--schema", str(written)).code == 0
    finally:
        run_sql(empty_db, "DROP EVENT TRIGGER IF EXISTS pgp_ddl; DROP EVENT TRIGGER IF EXISTS pgp_old_ddl")


OWNED = """
CREATE TYPE public.mood AS ENUM ('ok', 'bad');
CREATE TABLE public.notes (id int PRIMARY KEY, mood public.mood DEFAULT 'ok', updated_at timestamptz,
                           CHECK (id > 0));
CREATE FUNCTION public.set_updated_at() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN NEW.updated_at := now(); RETURN NEW; END $$;
CREATE FUNCTION public.twice(x int DEFAULT 2) RETURNS int LANGUAGE sql AS 'SELECT x * 2';
CREATE TRIGGER notes_updated BEFORE UPDATE ON public.notes FOR EACH ROW EXECUTE FUNCTION public.set_updated_at();
CREATE VIEW public.happy AS SELECT id FROM public.notes WHERE mood = 'ok';
"""


def test_the_documented_read_only_role_reads_objects_another_role_owns(pgproof, empty_db, project, tmp_path):
    from test_readonly_role import readme_grants
    from pgproof.core import db

    dbname = db.database_name(empty_db)
    app, reader = f"pgp_app_{dbname[-8:]}", f"pgp_ro_{dbname[-8:]}"
    run_sql(empty_db, f"DROP ROLE IF EXISTS {reader}; DROP ROLE IF EXISTS {app}; CREATE ROLE {app} NOLOGIN; "
                      f"GRANT CREATE ON SCHEMA public TO {app}; SET ROLE {app}; {OWNED}")
    grants = [g for g in readme_grants(reader, dbname) if "SCHEMA pgproof" not in g and "pgproof." not in g]
    run_sql(empty_db, "; ".join(grants))
    project(OWNED)
    url = empty_db.replace("postgres@", f"{reader}@")
    try:
        drift = pgproof("drift", "--db", url)
        assert drift.code == 0 and "No drift" in drift.out, drift.out + drift.err
        made = pgproof("plan", "--db", url, "--out", str(tmp_path / "plan.sql"))
        assert made.code == 0 and "Nothing to do" in made.err, made.out + made.err
    finally:
        run_sql(empty_db, f"DROP OWNED BY {reader}; DROP OWNED BY {app}")
        run_sql(empty_db, f"DROP ROLE {reader}; DROP ROLE {app}")
