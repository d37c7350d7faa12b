"""A hostile user's inputs, table-driven: each one gives one sentence on stderr, its exit
code (1, or 3 for a file that is not a plan), no traceback, no password in any output or
file, and leaves the target as it was."""

from __future__ import annotations

import io
import os
import signal
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from conftest import REPO, SECRET_PASSWORD, SECRET_ROLE, run_sql
from pgproof.read import catalog
from pgproof.cli import main as cli
from pgproof.core import db

SECRET = "S3cr3tPw9"  # the password of every made-up URL below
PYPROJECT = '[tool.pgproof]\nschema = "schema.sql"\n'
SCHEMA = "CREATE TABLE t (id int PRIMARY KEY);\n"
DATA = "-- pgproof-plan-data: "


@dataclass(frozen=True)
class Case:
    id: str
    args: tuple[str, ...]  # {target}, {tmp}, {server_socket}, {secret_url} are filled in
    needle: str  # a piece of the one sentence
    code: int = 1
    files: dict[str, str | bytes] = field(default_factory=dict)  # a project folder, when given
    env: dict[str, str] = field(default_factory=dict)


def plan_with_data(data: str) -> str:
    return f"-- pgproof plan, format 2\n\nSELECT 1;\n{DATA}{data}\n"


CASES = [
    # --- URLs and DSNs: never echoed with their password --------------------------------
    Case("url-missing-colon", ("diff", "--db", f"postgresql//app:{SECRET}@host/db"), "is not a database URL"),
    Case("url-one-slash", ("diff", "--db", f"postgresql:/app:{SECRET}@host/db"), "not a database URL"),
    Case("url-mysql", ("diff", "--db", f"mysql://app:{SECRET}@host/db"), "not a PostgreSQL URL"),
    Case("url-not-a-url", ("diff", "--db", "just some words"), "not a database URL"),
    Case("url-port-not-a-number", ("diff", "--db", f"postgresql://app:{SECRET}@host:abc/db"), "port 'abc'"),
    Case("url-port-twice", ("diff", "--db", f"postgresql://app:{SECRET}@host:5432:5432/db"), "more than one ':'"),
    Case("url-port-too-big", ("diff", "--db", f"postgresql://app:{SECRET}@host:99999/db"), "port '99999'"),
    Case("url-unencoded-at", ("diff", "--db", f"postgresql://app:{SECRET}@x@127.0.0.1:1/db"), "unencoded '@'"),
    Case("url-unencoded-colon", ("diff", "--db", f"postgresql://app:{SECRET}:x@127.0.0.1:1/db"), "could not connect"),
    Case("url-unencoded-slash", ("diff", "--db", f"postgresql://app:{SECRET}/x@127.0.0.1:1/db"), "unencoded '/'"),
    Case("url-password-in-query", ("drift", "--db", f"postgresql://app@127.0.0.1:1/db?password={SECRET}"),
         "could not connect"),
    Case("url-postgres-scheme-unreachable", ("drift", "--db", f"postgres://app:{SECRET}@127.0.0.1:1/db"),
         "could not connect"),
    Case("dsn-unreachable", ("drift", "--db", f"host=127.0.0.1 port=1 user=app password={SECRET} dbname=app"),
         "could not connect"),
    Case("dsn-quoted-password", ("drift", "--db", f"host=127.0.0.1 port=1 password='{SECRET} x' dbname=app"),
         "could not connect"),
    Case("dsn-malformed", ("drift", "--db", f"host=127.0.0.1 password={SECRET} dbname"), "key/value"),
    Case("url-bad-sslmode", ("drift", "--db", f"postgresql://app:{SECRET}@127.0.0.1:1/db?sslmode=sometimes"),
         "could not connect"),
    Case("env-database-url", ("drift",), "could not connect",
         env={"DATABASE_URL": f"postgresql://app:{SECRET}@127.0.0.1:1/db"}),
    Case("env-pgpassword", ("drift", "--db", "postgresql://app@127.0.0.1:1/db"), "could not connect",
         env={"PGPASSWORD": SECRET}),
    Case("wrong-password", ("diff", "--db", "{wrong_password_url}"), "password authentication failed"),
    Case("scratch-url-unreachable", ("diff", "--scratch", f"postgresql://app:{SECRET}@127.0.0.1:1/db"),
         "could not connect"),
    Case("scratch-url-malformed", ("diff", "--scratch", f"postgresql://app:{SECRET}@h:x/db"), "port 'x'"),
    Case("scratch-unknown", ("diff", "--scratch", "podman"), "is not a scratch provider"),
    Case("scratch-role-without-createdb", ("diff", "--scratch", "{nocreatedb_url}"), "scratch"),
    # --- settings --------------------------------------------------------------------
    Case("tool-pgproof-is-a-number", ("diff",), "must be a table", files={"pyproject.toml": "[tool]\npgproof = 5\n"}),
    Case("tool-is-a-number", ("diff",), "must be a table", files={"pyproject.toml": "tool = 5\n"}),
    Case("lock-timeout-true", ("plan", "--db", "{target}", "--out", "{tmp}/p.sql"), "lock_timeout_ms",
         files={"pyproject.toml": PYPROJECT + "lock_timeout_ms = true\n", "schema.sql": SCHEMA}),
    Case("lock-timeout-negative", ("diff",), "lock_timeout_ms",
         files={"pyproject.toml": PYPROJECT + "lock_timeout_ms = -5\n", "schema.sql": SCHEMA}),
    Case("lock-timeout-text", ("diff",), "lock_timeout_ms",
         files={"pyproject.toml": PYPROJECT + 'lock_timeout_ms = "soon"\n', "schema.sql": SCHEMA}),
    Case("lock-timeout-float", ("diff",), "lock_timeout_ms",
         files={"pyproject.toml": PYPROJECT + "lock_timeout_ms = 2.5\n", "schema.sql": SCHEMA}),
    Case("exclude-not-a-list", ("diff",), "exclude", files={"pyproject.toml": PYPROJECT + "exclude = 5\n"}),
    Case("unknown-setting", ("diff",), "unknown setting", files={"pyproject.toml": PYPROJECT + "shcema = 1\n"}),
    Case("pyproject-bad-toml", ("diff",), "TOML", files={"pyproject.toml": "[tool.pgproof\n"}),
    Case("pyproject-not-utf8", ("diff",), "UTF-8", files={"pyproject.toml": b"[tool.pgproof]\n# \xff\xfe\n"}),
    Case("dotenv-not-utf8", ("drift",), "UTF-8",
         files={"pyproject.toml": PYPROJECT, "schema.sql": SCHEMA, ".env": b"DATABASE_URL=\xff\xfe\n"}),
    Case("dotenv-url-with-password", ("drift",), "could not connect",
         files={"pyproject.toml": PYPROJECT, "schema.sql": SCHEMA,
                ".env": f"DATABASE_URL=postgresql://app:{SECRET}@127.0.0.1:1/db\n"}),
    # --- schema files ------------------------------------------------------------------
    Case("schema-missing", ("diff", "--schema", "{tmp}/nope.sql"), "does not exist"),
    Case("schema-not-utf8", ("diff", "--schema", "{tmp}/s.sql"), "UTF-8", files={"s.sql": b"CREATE TABLE \xff;\n"}),
    Case("schema-syntax", ("diff", "--schema", "{tmp}/s.sql"), "s.sql:1:8", files={"s.sql": "CREATE TABEL t ();\n"}),
    Case("schema-folder-empty", ("diff", "--schema", "{tmp}/empty"), "holds no .sql files", files={"empty/README": "x"}),
    # --- plan files ----------------------------------------------------------------------
    Case("plan-random-bytes", ("apply", "{tmp}/p.sql", "--db", "{target}", "--yes"), "not a pgproof plan", 3,
         files={"p.sql": bytes(range(256)) * 4}),
    Case("plan-show-random-bytes", ("show", "{tmp}/p.sql"), "not a pgproof plan", 3, files={"p.sql": os.urandom(512)}),
    Case("plan-data-is-a-list", ("apply", "{tmp}/p.sql", "--db", "{target}", "--yes"), "damaged data line", 3,
         files={"p.sql": plan_with_data("[1, 2]")}),
    Case("plan-data-is-a-string", ("show", "{tmp}/p.sql"), "damaged data line", 3,
         files={"p.sql": plan_with_data('"plan"')}),
    Case("plan-data-missing-keys", ("apply", "{tmp}/p.sql", "--db", "{target}", "--yes"), "damaged data line", 3,
         files={"p.sql": plan_with_data('{"format": 2}')}),
    Case("plan-data-wrong-types", ("show", "{tmp}/p.sql"), "damaged data line", 3,
         files={"p.sql": plan_with_data('{"format": 2, "statements": 5, "fixes": null}')}),
    Case("plan-data-bad-statement", ("show", "{tmp}/p.sql"), "damaged data line", 3,
         files={"p.sql": plan_with_data('{"format": 2, "statements": [7], "fixes": []}')}),
    Case("plan-data-not-json", ("show", "{tmp}/p.sql"), "damaged data line", 3, files={"p.sql": plan_with_data("{nope")}),
    Case("plan-data-format-1", ("show", "{tmp}/p.sql"), "format 1", 3, files={"p.sql": plan_with_data('{"format": 1}')}),
    Case("plan-no-data-line", ("show", "{tmp}/p.sql"), "not a pgproof plan", 3, files={"p.sql": "SELECT 1;\n"}),
    Case("plan-missing", ("apply", "{tmp}/none.sql", "--db", "{target}", "--yes"), "cannot read the plan"),
    Case("plan-out-missing-folder", ("plan", "--db", "{target}", "--out", "{tmp}/no/such/p.sql"), "does not exist"),
    Case("plan-out-below-a-file", ("plan", "--db", "{target}", "--out", "{tmp}/f.txt/p.sql"), "is a file",
         files={"f.txt": "x"}),
    Case("plan-out-is-a-folder", ("plan", "--db", "{target}", "--out", "{tmp}/d"), "is a directory", files={"d/x": "x"}),
    # --- flags -------------------------------------------------------------------------
    Case("unknown-hazard", ("apply", "{tmp}/p.sql", "--db", "{target}", "--yes", "--allow-hazards", "NOPE"),
         "not a pgproof plan", 3, files={"p.sql": "SELECT 1;\n"}),
    Case("apply-without-yes", ("apply", "{tmp}/p.sql", "--db", "{target}"), "--yes", files={"p.sql": "x"}),
    Case("fixes-jobs-zero", ("fixes", "run", "--db", "{target}", "--jobs", "0"), "--jobs"),
    Case("format-unknown", ("diff", "--format", "yaml"), "yaml"),
    Case("unknown-command", ("nosuch",), "No such command"),
    Case("unknown-flag", ("drift", "--bogus"), "--bogus"),
    Case("fixes-without-target", ("fixes", "status"), "needs a target database"),
    Case("db-empty", ("fixes", "status", "--db", ""), "needs a target database"),
    Case("db-trailing-newline", ("drift", "--db", f"postgresql://app:{SECRET}@127.0.0.1:1/db\n"), "could not connect"),
    Case("history-unreachable", ("history", "--db", f"postgresql://app:{SECRET}@127.0.0.1:1/db"), "could not connect"),
    Case("fixes-status-dsn-unreachable", ("fixes", "status", "--db", f"host=127.0.0.1 port=1 password={SECRET}"),
         "could not connect"),
    Case("env-database-url-bad-port", ("drift",), "port 'x'", env={"DATABASE_URL": f"postgresql://a:{SECRET}@h:x/d"}),
    Case("dotenv-unencoded-at", ("drift",), "unencoded '@'",
         files={"pyproject.toml": PYPROJECT, "schema.sql": SCHEMA,
                ".env": f"DATABASE_URL=postgresql://app:{SECRET}@x@127.0.0.1/db\n"}),
    Case("apply-plan-is-a-folder", ("apply", "{tmp}/d", "--yes"), "is a directory", files={"d/x": "x"}),
    Case("show-missing", ("show", "{tmp}/nothere.sql"), "cannot read the plan"),
    Case("plan-without-out", ("plan", "--db", "{target}"), "--out"),
    Case("fixes-phase-unknown", ("fixes", "run", "--db", "{target}", "--phase", "middle"), "middle"),
    Case("schema-setting-a-number", ("diff",), "does not exist", files={"pyproject.toml": "[tool.pgproof]\nschema = 5\n"}),
    Case("lock-wait-text", ("diff",), "apply_lock_wait_s",
         files={"pyproject.toml": PYPROJECT + 'apply_lock_wait_s = "x"\n', "schema.sql": SCHEMA}),
    Case("statement-timeout-true", ("diff",), "statement_timeout_ms",
         files={"pyproject.toml": PYPROJECT + "statement_timeout_ms = true\n", "schema.sql": SCHEMA}),
    Case("fix-python-syntax", ("fixes", "status", "--db", "{target}"), "Python syntax",
         files={"pyproject.toml": PYPROJECT + 'fixes = "fx"\n', "fx/0001_x.py": "PHASE = (\n"}),
    Case("fix-phase-twice", ("fixes", "status", "--db", "{target}"), "declared twice",
         files={"pyproject.toml": PYPROJECT + 'fixes = "fx"\n',
                "fx/0001_x.sql": "-- phase: before\n-- phase: after\n-- check: SELECT 0\nSELECT 1;\n"}),
    Case("history-mysql", ("history", "--db", f"mysql://a:{SECRET}@h/db"), "not a PostgreSQL URL"),
    # --- data fixes ------------------------------------------------------------------------
    Case("fix-deletes-without-archive", ("fixes", "status", "--db", "{target}"), "without archiving",
         files={"pyproject.toml": PYPROJECT + 'fixes = "fx"\n', "schema.sql": SCHEMA,
                "fx/0001_drop.sql": "-- phase: before\n-- check: SELECT count(*) FROM public.segments WHERE false\n"
                                    "DELETE FROM public.segments WHERE false;\n"}),
    Case("fix-archive-header-wrong", ("fixes", "status", "--db", "{target}"), "archive may only say",
         files={"pyproject.toml": PYPROJECT + 'fixes = "fx"\n', "schema.sql": SCHEMA,
                "fx/0001_drop.sql": "-- phase: before\n-- archive: later\n-- check: SELECT 0\nSELECT 1;\n"}),
    Case("fix-bad-name", ("fixes", "status", "--db", "{target}"), "must be named",
         files={"pyproject.toml": PYPROJECT + 'fixes = "fx"\n', "fx/fix.sql": "SELECT 1;\n"}),
    Case("fix-not-utf8", ("fixes", "status", "--db", "{target}"), "UTF-8",
         files={"pyproject.toml": PYPROJECT + 'fixes = "fx"\n', "fx/0001_x.sql": b"-- \xff\n"}),
    Case("fix-check-fails", ("fixes", "status", "--db", "{target}"), "fix its check",
         files={"pyproject.toml": PYPROJECT + 'fixes = "fx"\n',
                "fx/0001_x.sql": "-- phase: before\n-- check: SELECT 1/0\nSELECT 1;\n"}),
]


@pytest.fixture(scope="module")
def target(pg_server):
    """One legacy target for the whole corpus; each case must leave it unchanged."""
    with pg_server.database(template="pgd_tmpl_legacy") as url:
        yield url


def state_of(url: str):
    counts = run_sql(url, "SELECT (SELECT count(*) FROM segments), (SELECT count(*) FROM sources)")
    return catalog.describe(url).fingerprint(), counts, run_sql(url, "SELECT to_regnamespace('pgproof')")


@pytest.fixture(scope="module")
def nocreatedb_url(pg_server):
    run_sql(pg_server.url, "DROP ROLE IF EXISTS pgd_nocreatedb; CREATE ROLE pgd_nocreatedb LOGIN NOCREATEDB")
    return pg_server.url.replace("postgres@", "pgd_nocreatedb@")


def fill(text: str, values: dict[str, str]) -> str:
    for key, value in values.items():
        text = text.replace("{" + key + "}", value)
    return text


def run_case(case: Case, tmp_path: Path, monkeypatch, values: dict[str, str]):
    for name, content in case.files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        (path.write_bytes if isinstance(content, bytes) else path.write_text)(content)
    monkeypatch.chdir(tmp_path if any(n.startswith(("pyproject", ".env")) for n in case.files) else REPO)
    for key, value in case.env.items():
        monkeypatch.setenv(key, value)
    out, err = io.StringIO(), io.StringIO()
    code = cli.run(["--no-progress", *(fill(a, {**values, "tmp": str(tmp_path)}) for a in case.args)], out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def secrets_in(text: str) -> list[str]:
    return [s for s in (SECRET, SECRET_PASSWORD) if s in text]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_input_is_one_sentence(case, target, pg_server, nocreatedb_url, tmp_path, monkeypatch):
    monkeypatch.setenv("PGPROOF_SCRATCH", pg_server.url)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    wrong = pg_server.url.replace("postgres@", f"{SECRET_ROLE}:{SECRET}@")
    values = {"target": target, "wrong_password_url": wrong, "nocreatedb_url": nocreatedb_url}
    before = state_of(target)
    code, out, err = run_case(case, tmp_path, monkeypatch, values)
    lines = [line for line in err.splitlines() if line.strip()]
    assert code == case.code, (code, err)
    assert len(lines) == 1 and lines[0].startswith("Error: "), err
    assert case.needle in lines[0], lines[0]
    assert "Traceback" not in err + out and "hit a bug" not in err
    written = "".join(p.read_text(errors="replace") for p in tmp_path.rglob("*") if p.is_file()
                      and p.name not in case.files and not any(p.is_relative_to(tmp_path / n) for n in case.files))
    assert secrets_in(out + err + written) == []
    assert state_of(target) == before


def test_corpus_is_large_enough():
    assert len(CASES) >= 80


# --- inputs that succeed, but whose output must not carry the password ---------------------

def test_password_in_query_string_never_reaches_plan_files_json_or_markdown(pg_server, tmp_path, monkeypatch):
    """The issue's worst leak: ?password= went into plan.sql, the rollback file, the JSON data
    line and stdout (the CI artifact and the pull-request comment)."""
    with pg_server.database(template="pgd_tmpl_legacy") as url:
        name = db.database_name(url)
        run_sql(url, f"""GRANT CONNECT ON DATABASE "{name}" TO {SECRET_ROLE};
                         GRANT USAGE ON SCHEMA public TO {SECRET_ROLE};
                         GRANT SELECT ON ALL TABLES IN SCHEMA public TO {SECRET_ROLE};""")
        socket = url.split("host=", 1)[1]
        secret_url = f"postgresql://{SECRET_ROLE}@/{name}?host={socket}&password={SECRET_PASSWORD}"
        monkeypatch.chdir(REPO)
        monkeypatch.setenv("PGPROOF_SCRATCH", pg_server.url)
        for fmt in ("sql", "json", "markdown"):
            out, err = io.StringIO(), io.StringIO()
            code = cli.run(["plan", "--db", secret_url, "--out", str(tmp_path / f"{fmt}.sql"), "--format", fmt],
                           out=out, err=err)
            assert code == 0, err.getvalue()
            files = "".join(p.read_text() for p in tmp_path.glob("*.sql"))
            assert secrets_in(out.getvalue() + err.getvalue() + files) == [], fmt
            assert "password=***" in files


def test_mask_removes_every_form_of_password():
    forms = {
        f"postgresql://app:{SECRET}@host/db": "postgresql://app:***@host/db",
        f"postgres://app:{SECRET}@host:5432/db": "postgres://app:***@host:5432/db",
        f"postgresql//app:{SECRET}@host/db": "postgresql//app:***@host/db",
        f"postgresql:/app:{SECRET}@host/db": "postgresql:/app:***@host/db",
        f"postgresql://app:{SECRET}@x@host/db": "postgresql://app:***@host/db",
        f"postgresql://app:{SECRET}/x@host/db": "postgresql://app:***@host/db",
        f"postgresql://app@host/db?sslmode=require&password={SECRET}": "postgresql://app@host/db?sslmode=require&password=***",
        f"host=h password={SECRET} dbname=d": "host=h password=*** dbname=d",
        f"host=h password = '{SECRET} x' dbname=d": "host=h password = *** dbname=d",
        f"PGPASSWORD={SECRET} psql": "PGPASSWORD=*** psql",
        f"'postgresql://app:{SECRET}@host/db' is not": "'postgresql://app:***@host/db' is not",
        f"sslpassword={SECRET}": "sslpassword=***",
    }
    for text, masked in forms.items():
        assert db.mask(text) == masked, text
    # A password seen once is removed wherever it appears later, even out of its URL.
    db.normalise(f"postgresql://app:{SECRET}2@host/db")
    assert db.mask(f'could not translate host name "{SECRET}2@host"') == 'could not translate host name "***@host"'
    assert db.mask(None) == ""
    db.normalise("postgresql://app:hunterpw@host/db")  # removed as a word, never inside a longer one
    assert db.mask("hunterpw, hunterpwx") == "***, hunterpwx"


def test_libpq_forms_are_accepted():
    assert db.normalise("postgres://a@h/db") == "postgresql://a@h/db"
    assert db.normalise("host=/tmp/s dbname=x user=u") == "postgresql://u@/x?host=/tmp/s"
    assert db.normalise("host=h port=5433 dbname=x") == "postgresql://h:5433/x"


def test_postgres_scheme_works_against_a_real_server(pg_server, tmp_path, monkeypatch):
    with pg_server.database(template="pgd_tmpl_empty") as url:
        monkeypatch.chdir(REPO)
        monkeypatch.setenv("PGPROOF_SCRATCH", pg_server.url)
        out, err = io.StringIO(), io.StringIO()
        assert cli.run(["drift", "--db", url.replace("postgresql://", "postgres://")], out=out, err=err) == 2, err.getvalue()


def test_empty_schema_file_warns_that_everything_would_be_dropped(pg_server, tmp_path, monkeypatch):
    (tmp_path / "empty.sql").write_text("-- nothing yet\n")
    with pg_server.database(template="pgd_tmpl_legacy") as url:
        monkeypatch.chdir(REPO)
        monkeypatch.setenv("PGPROOF_SCRATCH", pg_server.url)
        out, err = io.StringIO(), io.StringIO()
        code = cli.run(["plan", "--db", url, "--schema", str(tmp_path / "empty.sql"), "--out", str(tmp_path / "p.sql")],
                       out=out, err=err)
        assert code == 0, err.getvalue()
        assert "declares nothing" in err.getvalue() and "dropped" in err.getvalue()
        assert "declares nothing" in (tmp_path / "p.sql").read_text()  # the reviewer sees it too
        refused = io.StringIO()
        assert cli.run(["apply", str(tmp_path / "p.sql"), "--db", url, "--yes"], out=io.StringIO(), err=refused) == 3
        assert "DATA_LOSS" in refused.getvalue()


def test_an_unexpected_exception_is_one_sentence_naming_a_bug(monkeypatch, tmp_path):
    from pgproof import commands

    def broken(*args, **kwargs):
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr(commands, "show", broken)
    err = io.StringIO()
    assert cli.run(["show", str(tmp_path / "x.sql")], out=io.StringIO(), err=err) == 1
    lines = err.getvalue().strip().splitlines()
    assert len(lines) == 1 and "pgproof hit a bug: ZeroDivisionError" in lines[0] and "--traceback" in lines[0]
    err = io.StringIO()
    assert cli.run(["--traceback", "show", str(tmp_path / "x.sql")], out=io.StringIO(), err=err) == 1
    assert "Traceback" in err.getvalue()


# --- Ctrl-C at any moment: exit 130, one sentence, nothing left behind --------------------

@pytest.mark.parametrize("delay", [0.25, 0.5, 0.8, 1.2, 1.8, 2.5])
def test_ctrl_c_at_any_moment_exits_130(delay, tmp_path):
    env = {**os.environ, "TMPDIR": str(tmp_path), "PYTHONUNBUFFERED": "1"}
    env.pop("DATABASE_URL", None)
    env.pop("PGPROOF_SCRATCH", None)
    proc = subprocess.Popen([str(REPO / ".venv" / "bin" / "pgproof"), "diff"], cwd=REPO, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(delay)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=120)
    if proc.returncode == 0:
        pytest.skip(f"the diff finished within {delay} s, before the signal")  # a fast machine
    if proc.returncode == -signal.SIGINT and "tools/pgproof/" not in err:
        # Python itself was still starting (site, the console script's own imports): no
        # code of pgproof's had run yet, and the shell reports 130 for it all the same.
        pytest.skip(f"at {delay} s the interpreter was still starting on this loaded machine")
    assert proc.returncode == 130, (out, err)
    assert "Traceback" not in err
    assert [line for line in err.splitlines() if line.strip()][-1].startswith("Error: interrupted"), err
    deadline = time.monotonic() + 10
    while list(tmp_path.glob("pgproof-*")) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert list(tmp_path.glob("pgproof-*")) == []
