"""Managed privileges and owners: for the roles in managed_roles, grants added in
schema.sql are applied and grants it no longer has are revoked; other roles' grants are
left alone and never reported; owners only with manage_owners."""

from __future__ import annotations

import pytest

from conftest import run_sql

READER, OTHER, OWNER_A, OWNER_B = "pgp_reader", "pgp_other", "pgp_owner_a", "pgp_owner_b"

TARGET = f"""
CREATE TABLE public.items (id int PRIMARY KEY, name text, secret text);
CREATE SEQUENCE public.counter;
CREATE FUNCTION public.answer() RETURNS int LANGUAGE sql RETURN 42;
GRANT SELECT, UPDATE ON public.items TO {READER};
GRANT SELECT ON public.items TO {OTHER};
GRANT USAGE ON SEQUENCE public.counter TO {OTHER};
"""
DESIRED = f"""
CREATE TABLE public.items (id int PRIMARY KEY, name text, secret text);
CREATE SEQUENCE public.counter;
CREATE FUNCTION public.answer() RETURNS int LANGUAGE sql RETURN 42;
GRANT SELECT, INSERT ON public.items TO {READER};
GRANT UPDATE (name) ON public.items TO {READER};
GRANT USAGE ON SEQUENCE public.counter TO {READER};
GRANT EXECUTE ON FUNCTION public.answer() TO {READER};
GRANT USAGE ON SCHEMA public TO {READER};
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT ON TABLES TO {READER};
"""


@pytest.fixture
def roles(pg_server):
    for role in (READER, OTHER, OWNER_A, OWNER_B):
        run_sql(pg_server.url, f"DO $$ BEGIN CREATE ROLE {role} NOLOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$")


@pytest.fixture
def project(tmp_path, monkeypatch, pgproof):
    def make(schema: str, **settings: str) -> None:
        (tmp_path / "schema.sql").write_text(schema)
        lines = ['schema = "schema.sql"'] + [f"{k} = {v}" for k, v in settings.items()]
        (tmp_path / "pyproject.toml").write_text("[tool.pgproof]\n" + "\n".join(lines) + "\n")
        monkeypatch.chdir(tmp_path)
    return make


def privileges(url: str, role: str) -> list[tuple]:
    return run_sql(url, f"""
        SELECT has_table_privilege('{role}', 'public.items', 'SELECT'),
               has_table_privilege('{role}', 'public.items', 'INSERT'),
               has_table_privilege('{role}', 'public.items', 'UPDATE'),
               has_column_privilege('{role}', 'public.items', 'name', 'UPDATE'),
               has_sequence_privilege('{role}', 'public.counter', 'USAGE'),
               has_function_privilege('{role}', 'public.answer()', 'EXECUTE')""")[0]


def test_managed_grants_are_planned_applied_and_drifted_unmanaged_left_alone(pgproof, empty_db, roles, project, tmp_path):
    run_sql(empty_db, TARGET)
    project(DESIRED, managed_roles=f'["{READER}"]')
    drift = pgproof("drift", "--db", empty_db)
    assert drift.code == 2, drift.err
    assert f"privilege TABLE public.items TO {READER}" in drift.out
    assert OTHER not in drift.out
    made = pgproof("plan", "--db", empty_db, "--out", str(tmp_path / "plan.sql"))
    assert made.code == 0, made.err
    text = (tmp_path / "plan.sql").read_text()
    assert f"REVOKE UPDATE ON TABLE public.items FROM {READER};" in text
    assert f"GRANT INSERT ON TABLE public.items TO {READER};" in text
    assert f"GRANT UPDATE (name) ON TABLE public.items TO {READER};" in text
    me = run_sql(empty_db, "SELECT quote_ident(current_user)")[0][0]  # the scratch loads as the same superuser
    assert f"ALTER DEFAULT PRIVILEGES FOR ROLE {me} IN SCHEMA public GRANT SELECT ON TABLES TO {READER};" in text
    assert OTHER not in text
    applied = pgproof("apply", str(tmp_path / "plan.sql"), "--db", empty_db, "--yes")
    assert applied.code == 0, applied.err
    assert privileges(empty_db, READER) == (True, True, False, True, True, True)
    assert privileges(empty_db, OTHER)[:2] == (True, False)  # left alone
    assert run_sql(empty_db, f"SELECT has_sequence_privilege('{OTHER}', 'public.counter', 'USAGE')") == [(True,)]
    assert pgproof("drift", "--db", empty_db).code == 0
    # the rollback gives the managed role its former privileges back
    rolled = pgproof("apply", str(tmp_path / "plan.rollback.sql"), "--db", empty_db, "--yes")
    assert rolled.code == 0, rolled.err
    assert privileges(empty_db, READER)[:3] == (True, False, True)


def test_unmanaged_roles_grants_are_no_drift(pgproof, empty_db, roles, project):
    run_sql(empty_db, TARGET)
    project(TARGET.replace(f"GRANT SELECT ON public.items TO {OTHER};", "")
            .replace(f"GRANT USAGE ON SEQUENCE public.counter TO {OTHER};", ""), managed_roles=f'["{READER}"]')
    drift = pgproof("drift", "--db", empty_db)
    assert drift.code == 0, drift.out + drift.err


def test_without_managed_roles_privileges_are_not_compared(pgproof, empty_db, roles, project):
    run_sql(empty_db, TARGET)
    project(DESIRED)
    assert pgproof("drift", "--db", empty_db).code == 0


def test_owners_are_managed_when_asked(pgproof, empty_db, roles, project, tmp_path):
    run_sql(empty_db, f"CREATE TABLE public.items (id int); ALTER TABLE public.items OWNER TO {OWNER_A};")
    project(f"CREATE TABLE public.items (id int);\nALTER TABLE public.items OWNER TO {OWNER_B};\n",
            manage_owners="true")
    drift = pgproof("drift", "--db", empty_db)
    assert drift.code == 2 and "owner TABLE public.items" in drift.out, drift.out
    made = pgproof("plan", "--db", empty_db, "--out", str(tmp_path / "plan.sql"))
    assert made.code == 0, made.err
    assert f"ALTER TABLE public.items OWNER TO {OWNER_B};" in (tmp_path / "plan.sql").read_text()
    assert pgproof("apply", str(tmp_path / "plan.sql"), "--db", empty_db, "--yes").code == 0
    assert run_sql(empty_db, "SELECT tableowner FROM pg_tables WHERE tablename = 'items'") == [(OWNER_B,)]
    assert pgproof("drift", "--db", empty_db).code == 0


def test_inspect_writes_managed_grants_and_owners(pgproof, empty_db, roles, project, tmp_path):
    run_sql(empty_db, TARGET + f"ALTER TABLE public.items OWNER TO {OWNER_A};")
    project("", managed_roles=f'["{READER}"]', manage_owners="true")
    made = pgproof("inspect", "--db", empty_db, "--out", "inspected.sql")
    assert made.code == 0, made.err
    text = (tmp_path / "inspected.sql").read_text()
    assert f"GRANT SELECT, UPDATE ON TABLE public.items TO {READER};" in text
    assert f"ALTER TABLE public.items OWNER TO {OWNER_A};" in text and OTHER not in text
    assert pgproof("drift", "--db", empty_db, "--schema", "inspected.sql").code == 0


def test_a_managed_role_missing_on_the_target_is_one_error(pgproof, empty_db, project):
    project("CREATE TABLE public.items (id int);\n", managed_roles='["pgp_nobody_here"]')
    drift = pgproof("drift", "--db", empty_db)
    assert drift.code == 1
    assert "role pgp_nobody_here" in drift.err and "CREATE ROLE pgp_nobody_here NOLOGIN;" in drift.err


def test_managed_roles_must_be_a_list_of_names(pgproof, project):
    project("", managed_roles='"app"')
    made = pgproof("diff")
    assert made.code == 1 and "managed_roles in [tool.pgproof] must be a list" in made.err
