"""The scratch is a sandbox: a schema file (or a target's objects, through inspect) runs
nothing with the scratch superuser's privileges, cold and warm; only the owner gets into
the cache; Ctrl-C during a long schema statement ends the run. Issue 26."""

from __future__ import annotations

import io
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from conftest import REPO, Result, run_sql
from pgproof.cli import main as cli
from pgproof.core.errors import SchemaError
from pgproof.read import desired
from pgproof.scratch import cache, sandbox

# Each would run a program, read or write a server file, or take the server, as the
# scratch's OS user. `{canary}` is a file that exists afterwards only if it ran.
HOSTILE = {
    "copy to program": "COPY (SELECT 1) TO PROGRAM 'touch {canary}'",
    "do block": "DO $$ BEGIN EXECUTE 'COPY (SELECT 1) TO PROGRAM ''touch {canary}'''; END $$",
    "pg_read_file": "SELECT pg_read_file('/proc/self/environ')",
    "lo_export": "SELECT lo_export(lo_from_bytea(0, 'x'), '{canary}')",
    "pg_read_server_files": f"GRANT pg_read_server_files TO {sandbox.LOADER}",
    "alter system": "ALTER SYSTEM SET archive_command = 'touch {canary}'",
    "create role superuser": "CREATE ROLE pgproof_evil SUPERUSER LOGIN",
    "session authorization": "SET session_authorization postgres",
    "event trigger": ("CREATE FUNCTION on_ddl() RETURNS event_trigger LANGUAGE plpgsql AS $$ BEGIN END $$;\n"
                      "CREATE EVENT TRIGGER on_ddl ON ddl_command_start EXECUTE FUNCTION on_ddl()"),
    "untrusted language": "CREATE FUNCTION sh() RETURNS int LANGUAGE plperlu AS $$ `touch {canary}`; 1 $$",
    "column default with an insert": (
        "CREATE FUNCTION evil() RETURNS int LANGUAGE plpgsql AS $$ BEGIN "
        "EXECUTE 'COPY (SELECT 1) TO PROGRAM ''touch {canary}'''; RETURN 1; END $$;\n"
        "CREATE TABLE victim (id int DEFAULT evil());\nINSERT INTO victim DEFAULT VALUES"),
    "materialized view": (
        "CREATE FUNCTION evil() RETURNS int LANGUAGE plpgsql AS $$ BEGIN "
        "EXECUTE 'COPY (SELECT 1) TO PROGRAM ''touch {canary}'''; RETURN 1; END $$;\n"
        "CREATE MATERIALIZED VIEW mv AS SELECT evil() AS x"),
}

# Runs its program only where it is a superuser: a schema that loads as the loader, and
# would run it wherever a plan's statements ran as the superuser (the proof's copies).
ONLY_AS_SUPERUSER = """CREATE EXTENSION IF NOT EXISTS vector;
CREATE TABLE items (id int PRIMARY KEY, e vector(3));
CREATE FUNCTION sneaky() RETURNS int LANGUAGE plpgsql AS $$
BEGIN
  IF (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
    EXECUTE 'COPY (SELECT 1) TO PROGRAM ''touch {canary}''';
  END IF;
  RETURN 1;
END $$;
CREATE MATERIALIZED VIEW sneaky_view AS SELECT sneaky() AS x;
"""


def _schema(folder: Path, body: str, canary: Path) -> Path:
    """A schema file: two harmless lines, then `body` from line 3."""
    path = folder / "schema.sql"
    path.write_text("CREATE EXTENSION IF NOT EXISTS vector;\nCREATE TABLE fine (id int PRIMARY KEY);\n"
                    + body.format(canary=canary) + ";\n")
    return path


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_a_hostile_statement_in_a_schema_file_runs_nothing(name, pg_server, tmp_path):
    canary = tmp_path / "canary"
    path = _schema(tmp_path, HOSTILE[name], canary)
    with pg_server.database() as url:
        with pytest.raises(SchemaError) as raised:
            desired.load(url, desired.read(path), pg_server)
        assert not run_sql(url, "SELECT 1 FROM pg_roles WHERE rolname = 'pgproof_evil'")
        assert not run_sql(url, "SELECT 1 FROM pg_event_trigger")
    message = str(raised.value)
    assert message.startswith(f"{desired.display_path(path)}:"), message
    line = int(message.split(":")[1])
    assert 3 <= line <= 5, message
    assert "\n" not in message
    assert not canary.exists()
    assert not run_sql(pg_server.url, "SELECT 1 FROM pg_file_settings WHERE name = 'archive_command'")


def test_extensions_are_made_by_the_superuser_and_the_rest_by_the_loader(pg_server, tmp_path):
    path = tmp_path / "schema.sql"
    path.write_text("CREATE SCHEMA ext;\nCREATE EXTENSION vector WITH SCHEMA ext;\n"
                    "COMMENT ON EXTENSION vector IS 'vectors';\nCREATE TABLE t (id int, e ext.vector(3));\n")
    with pg_server.database() as url:
        desired.load(url, desired.read(path), pg_server)
        owners = run_sql(url, "SELECT c.relowner::regrole::text, d.datdba::regrole::text FROM pg_class c, "
                              "pg_database d WHERE c.relname = 't' AND d.datname = current_database()")
    assert owners == [(sandbox.LOADER, sandbox.LOADER)]


def test_owners_load_but_no_superuser_takes_a_security_definer_routine(pg_server, tmp_path):
    """OWNER TO runs no code, so the superuser runs it (the loader may not on `public`),
    except a SECURITY DEFINER routine given to a superuser: it would run as one."""
    path = tmp_path / "schema.sql"
    body = ("CREATE TABLE t (id int);\nALTER TABLE t OWNER TO postgres;\n"
            "CREATE FUNCTION f() RETURNS int LANGUAGE sql RETURN 1;\nALTER FUNCTION f() OWNER TO postgres;\n")
    path.write_text(body)
    with pg_server.database() as url:
        desired.load(url, desired.read(path), pg_server)
        assert run_sql(url, "SELECT relowner::regrole::text FROM pg_class WHERE relname = 't'") == [("postgres",)]
    path.write_text(body.replace("RETURN 1;", "SECURITY DEFINER RETURN 1;"))
    with pg_server.database() as url, pytest.raises(SchemaError) as raised:
        desired.load(url, desired.read(path), pg_server)
    assert ":4:1: f () is given to the superuser postgres" in str(raised.value), raised.value


def test_a_missing_extension_is_named_at_its_line(pg_server, tmp_path):
    path = tmp_path / "schema.sql"
    path.write_text("CREATE TABLE t (id int);\nCREATE EXTENSION no_such_extension;\n")
    with pg_server.database() as url, pytest.raises(SchemaError) as raised:
        desired.load(url, desired.read(path), pg_server)
    assert ":2:1:" in str(raised.value) and "no_such_extension" in str(raised.value)


# --- through the commands, cold and warm ----------------------------------------------------

@pytest.fixture
def run(monkeypatch, tmp_path):
    """The CLI in-process with the scratch `auto` picks (a server pgproof starts)."""
    monkeypatch.chdir(REPO)
    monkeypatch.setenv("PGPROOF_SCRATCH", "auto")
    monkeypatch.delenv("DATABASE_URL", raising=False)
    folder = tmp_path / "cache"

    def invoke(*args: str, warm: bool = False) -> Result:
        monkeypatch.setenv("PGPROOF_CACHE", "on" if warm else "off")
        monkeypatch.setenv("PGPROOF_CACHE_DIR", str(folder))
        out, err = io.StringIO(), io.StringIO()
        code = cli.run(["--no-progress", *args], out=out, err=err)
        return Result(code, out.getvalue(), err.getvalue())

    yield invoke
    cache.clear(folder)


@pytest.mark.parametrize("warm", [False, True], ids=["cold", "warm"])
def test_diff_drift_and_plan_of_a_hostile_schema_run_nothing(run, warm, empty_db, tmp_path):
    canary = tmp_path / "canary"
    path = _schema(tmp_path, HOSTILE["copy to program"], canary)
    where = f"{desired.display_path(path)}:3:1: "
    for args in (["diff"], ["diff", "--db", empty_db], ["drift", "--db", empty_db],
                 ["plan", "--db", empty_db, "--out", str(tmp_path / "plan.sql")]):
        result = run(*args, "--schema", str(path), warm=warm)
        assert result.code == 1, result.err
        assert where in result.err and "a role without superuser" in result.err, result.err
        assert len(result.err.strip().splitlines()) == 1, result.err
        assert not canary.exists()


@pytest.mark.parametrize("warm", [False, True], ids=["cold", "warm"])
def test_the_proof_runs_a_plan_as_the_loader(run, warm, empty_db, tmp_path):
    canary = tmp_path / "canary"
    path = tmp_path / "schema.sql"
    path.write_text(ONLY_AS_SUPERUSER.format(canary=canary))
    result = run("plan", "--db", empty_db, "--schema", str(path), "--out", str(tmp_path / "plan.sql"), warm=warm)
    assert result.code == 0, result.err
    assert "sneaky_view" in (tmp_path / "plan.sql").read_text()
    assert not canary.exists()  # neither the load, nor the forward proof, nor the rollback proof


@pytest.mark.parametrize("warm", [False, True], ids=["cold", "warm"])
def test_inspect_of_a_target_whose_objects_run_something_runs_nothing(run, warm, empty_db, tmp_path):
    canary = tmp_path / "canary"
    run_sql(empty_db, ONLY_AS_SUPERUSER.format(canary=canary).replace(
        "SELECT sneaky() AS x;", "SELECT sneaky() AS x WITH NO DATA;"))
    result = run("inspect", "--db", empty_db, "--out", str(tmp_path / "schema.sql"), warm=warm)
    assert result.code == 0, result.err
    assert not canary.exists()
    result = run("drift", "--db", empty_db, "--schema", str(tmp_path / "schema.sql"), warm=warm)
    assert result.code == 0, result.err
    assert not canary.exists()


# --- only the owner gets in ------------------------------------------------------------------

def _server_uid() -> int:
    import pwd

    return pwd.getpwnam("embedded_postgres").pw_uid if os.geteuid() == 0 else os.geteuid()


def _mode(path: Path) -> int:
    return os.lstat(path).st_mode & 0o777


@pytest.fixture
def warm_server(monkeypatch, empty_db, tmp_path):
    """A cache (in a home folder of mode 0700) with its server running after one diff in an
    environment holding secrets; yields the server's folder."""
    home = tmp_path / "home"
    home.mkdir(mode=0o700)
    folder = home / ".cache" / "pgproof"
    monkeypatch.setenv("PGPROOF_CACHE_DIR", str(folder))
    monkeypatch.setenv("PGPASSWORD", "pg-password-of-the-run")
    monkeypatch.setenv("PGAPPNAME", "pg-app-name-of-the-run")
    monkeypatch.chdir(REPO)
    secret_url = empty_db.replace("postgresql://postgres@", "postgresql://postgres:db-url-password@")
    monkeypatch.setenv("DATABASE_URL", secret_url)
    out, err = io.StringIO(), io.StringIO()
    monkeypatch.setenv("PGPROOF_CACHE", "on")
    monkeypatch.setenv("PGPROOF_SCRATCH", "embedded")
    code = cli.run(["--no-progress", "diff"], out=out, err=err)
    assert code in (0, 2), err.getvalue()
    assert _mode(home) == 0o700  # never opened to others, even as root
    (server,) = folder.glob("pg*-*")
    yield server
    cache.clear(folder)


def test_cache_folders_are_the_owners_alone_and_the_server_asks_a_password(warm_server):
    folder = warm_server.parent
    for path in (folder, folder / "entries", warm_server):
        assert _mode(path) == 0o700 and os.lstat(path).st_uid == os.geteuid(), path
    assert _mode(warm_server / "password") == 0o600
    cluster = cache.PersistentCluster(warm_server, None)
    for path in {cluster.socket_dir, cluster.data.parent} | ({cluster.run_space} if cluster.run_space else set()):
        assert _mode(path) == 0o700 and os.lstat(path).st_uid == _server_uid(), path
    assert (os.lstat(cluster.socket_dir / ".s.PGSQL.5432").st_mode & 0o077) == 0
    with pytest.raises(Exception, match="password"):  # no trust: the socket alone is not enough
        run_sql(f"postgresql://postgres@/postgres?host={cluster.socket_dir}", "SELECT 1")
    assert run_sql(cluster.url, "SELECT 1") == [(1,)]


def test_the_server_environment_holds_none_of_the_runs_secrets(warm_server):
    cluster = cache.PersistentCluster(warm_server, None)
    pid = int((cluster.data / "postmaster.pid").read_text().split()[0])
    environ = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
    names = {item.split(b"=", 1)[0].decode() for item in environ if item}
    assert not names & {"DATABASE_URL", "PGPASSWORD", "PGAPPNAME"}, names  # (pg_ctl sets PGDATA itself)
    assert b"db-url-password" not in b"".join(environ) and b"pg-password-of-the-run" not in b"".join(environ)


def test_a_throwaway_server_starts_with_a_clean_environment(monkeypatch):
    from pgproof import scratch

    monkeypatch.setenv("DATABASE_URL", "postgresql://u:db-url-password@example/db")
    monkeypatch.setenv("PGPASSWORD", "pg-password-of-the-run")
    with scratch.embedded_server() as server:
        (pid,) = run_sql(server.url, "SELECT pg_backend_pid()")[0]
        parent = int(Path(f"/proc/{pid}/stat").read_text().split(") ", 1)[1].split()[1])
        environ = Path(f"/proc/{parent}/environ").read_bytes()
    assert b"DATABASE_URL" not in environ and b"PGPASSWORD" not in environ


@pytest.mark.parametrize("problem", ["open to others", "a symbolic link"])
def test_a_cache_folder_others_could_reach_is_refused(run, monkeypatch, tmp_path, problem):
    folder = tmp_path / "cache"
    if problem == "open to others":
        folder.mkdir(mode=0o755)
        folder.chmod(0o755)
    else:
        (tmp_path / "elsewhere").mkdir(mode=0o700)
        folder.symlink_to(tmp_path / "elsewhere")
    monkeypatch.setenv("PGPROOF_CACHE_DIR", str(folder))
    monkeypatch.setenv("PGPROOF_SCRATCH", "embedded")
    result = run("diff", warm=True)
    assert result.code == 1 and problem in result.err and "--no-cache" in result.err, result.err
    assert len(result.err.strip().splitlines()) == 1
    assert not list((tmp_path / "elsewhere").iterdir()) if problem != "open to others" else True


def _other_user() -> str:
    """A second OS user, made for the test (skip where that cannot be done)."""
    if os.geteuid() != 0 or not shutil.which("useradd"):
        pytest.skip("making a second OS user needs root and useradd")
    name = "pgproof_other"
    done = subprocess.run(["id", name], capture_output=True)
    if done.returncode != 0:
        made = subprocess.run(["useradd", "--no-create-home", "--shell", "/bin/sh", name], capture_output=True)
        if made.returncode != 0:
            pytest.skip(f"useradd failed: {made.stderr.decode().strip()}")
    return name


def _as(user: str, *command: str) -> subprocess.CompletedProcess:
    return subprocess.run(command, user=user, group=user, extra_groups=[], capture_output=True, text=True,
                          timeout=60, cwd="/", env={"PATH": os.environ.get("PATH", "/usr/bin:/bin")})


def test_another_user_cannot_reach_the_cache_server_nor_its_files(warm_server):
    other = _other_user()
    psql = next((str(p) for p in sorted(Path("/usr/lib/postgresql").glob("*/bin/psql"))), shutil.which("psql"))
    if psql is None:
        pytest.skip("no psql to connect with")
    cluster = cache.PersistentCluster(warm_server, None)
    tried = _as(other, psql, "-h", str(cluster.socket_dir), "-U", "postgres", "-w", "-c", "SELECT 1")
    assert tried.returncode != 0 and "1 row" not in tried.stdout
    assert _as(other, "cat", str(warm_server / "password")).returncode != 0
    assert _as(other, "ls", str(cluster.data)).returncode != 0
    if cluster.run_space:
        assert _as(other, "ls", str(cluster.run_space)).returncode != 0
    assert _as(other, "touch", str(warm_server.parent / "entries" / "planted.json")).returncode != 0


# --- Ctrl-C and SIGTERM during a long schema statement -----------------------------------------

@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_an_interrupt_during_a_long_schema_statement_ends_the_run(signum, tmp_path):
    import psutil

    schema = tmp_path / "schema.sql"
    schema.write_text("CREATE TABLE t (id int);\nSELECT pg_sleep(3600);\n")
    # a folder the server's user may pass through (pytest's are 0700; as root it runs as another user)
    scratch_tmp = Path(tempfile.mkdtemp(prefix="pgproof-interrupt-"))
    scratch_tmp.chmod(0o711)
    env = {**os.environ, "TMPDIR": str(scratch_tmp), "PGPROOF_CACHE": "off", "PGPROOF_SCRATCH": "embedded"}
    env.pop("DATABASE_URL", None)
    proc = subprocess.Popen([sys.executable, "-m", "pgproof", "--no-progress", "diff", "--schema", str(schema)],
                            cwd=REPO, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    deadline = time.monotonic() + 600
    def sleeping() -> bool:
        for process in psutil.process_iter(["cmdline"]):
            command = " ".join(process.info["cmdline"] or [])
            if "pgproof_loader" in command and "SELECT" in command:
                return True
        return False

    while not sleeping():
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, "the schema never started loading"
        time.sleep(0.2)
    time.sleep(0.5)
    sent = time.monotonic()
    proc.send_signal(signum)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert time.monotonic() - sent < 20, "the run took too long to end"
    assert "interrupted" in err and len(err.strip().splitlines()) == 1
    assert not list(scratch_tmp.iterdir())  # the throwaway cluster's folder is gone
    scratch_tmp.rmdir()
    assert not [p for p in psutil.process_iter(["cmdline"]) if str(scratch_tmp) in " ".join(p.info["cmdline"] or [])]
