"""One embedded PostgreSQL 18 + pgvector per test session; each test gets fresh databases
cloned from templates. Nothing here mocks the database."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import psycopg2
import pytest

from pgproof import cli, db, scratch

REPO = Path(__file__).resolve().parents[1]
# Tests run the cold path unless they turn the cache on with a folder of their own
# (tests/test_cache.py): no test may start a persistent server in the user's cache.
os.environ["PGPROOF_CACHE"] = "off"
FIXTURES = REPO / "tests" / "fixtures"
SECRET_ROLE = "pgd_secret"
SECRET_PASSWORD = "correct-horse-battery"

TEMPLATES = {
    "pgd_tmpl_empty": None,
    "pgd_tmpl_legacy": FIXTURES / "legacy.sql",
}


def run_sql(url: str, sql: str, *, autocommit: bool = True):
    """Run `sql` on `url`; returns the last result's rows, if any."""
    conn = psycopg2.connect(db.libpq_url(url))
    conn.autocommit = autocommit
    try:
        with conn.cursor() as cur:
            cur.execute(sql)
            rows = cur.fetchall() if cur.description else None
        if not autocommit:
            conn.commit()
        return rows
    finally:
        conn.close()


@pytest.fixture(scope="session")
def pg_server():
    hba = (f"local all {SECRET_ROLE} scram-sha-256",)
    with scratch.embedded_server(hba=hba) as server:
        run_sql(server.url, f"CREATE ROLE {SECRET_ROLE} LOGIN PASSWORD '{SECRET_PASSWORD}'")
        for name, source in TEMPLATES.items():
            run_sql(server.url, f'CREATE DATABASE "{name}"')
            if source is not None:
                run_sql(db.with_database(server.url, name), source.read_text())
        yield server


@pytest.fixture
def empty_db(pg_server):
    with pg_server.database(template="pgd_tmpl_empty") as url:
        yield url


@pytest.fixture
def legacy_db(pg_server):
    with pg_server.database(template="pgd_tmpl_legacy") as url:
        yield url


@dataclass
class Result:
    code: int
    out: str
    err: str


@pytest.fixture
def pgproof(monkeypatch, pg_server):
    """Run the CLI in-process from the repository root, with the test server as scratch."""
    monkeypatch.chdir(REPO)
    monkeypatch.setenv("PGPROOF_SCRATCH", pg_server.url)
    monkeypatch.delenv("DATABASE_URL", raising=False)

    def run(*args: str) -> Result:
        out, err = io.StringIO(), io.StringIO()
        code = cli.run(list(args), out=out, err=err)
        return Result(code, out.getvalue(), err.getvalue())

    return run


def run_subprocess(*args: str, env: dict[str, str] | None = None, cwd: Path = REPO, timeout: float = 120):
    """Run `pgproof` as a real process (for signals and leftovers)."""
    full_env = {**os.environ, **(env or {})}
    full_env.pop("DATABASE_URL", None)
    done = subprocess.run(
        [sys.executable, "-m", "pgproof", *args], cwd=cwd, env=full_env,
        capture_output=True, text=True, timeout=timeout,
    )
    return Result(done.returncode, done.stdout, done.stderr)


def scratch_databases(server_url: str) -> list[str]:
    rows = run_sql(server_url, f"SELECT datname FROM pg_database WHERE datname LIKE '{scratch.SCRATCH_PREFIX}%'")
    return [r[0] for r in rows]
