"""Connection URLs and connections: the only place that opens one, masks passwords in
what it prints, and turns a driver failure into one sentence.

URLs are accepted as `postgresql://...` (libpq form) and converted to
`postgresql+psycopg2://` for SQLAlchemy, which would otherwise pick psycopg 3.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from dataclasses import dataclass

import psycopg2
import psycopg2.extensions
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from .errors import ConfigError, ConnectionFailed

# Definitions the server renders (defaults, index and view definitions) qualify every name
# that is not on the search_path. Both sides of a comparison are therefore inspected with
# this same, explicit search_path, so the same object always renders the same way.
INSPECTION_SEARCH_PATH = "pg_catalog"

_CONNECT_TIMEOUT_S = 10


def _parsed(url: str):
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise ConfigError(
            f"{mask(url)!r} is not a database URL; "
            "give one like postgresql://user:password@host:5432/dbname."
        ) from None
    if not parsed.drivername.startswith("postgresql"):
        raise ConfigError(
            f"{mask(url)!r} is not a PostgreSQL URL; give one that starts with postgresql://."
        )
    return parsed


def mask(url: str) -> str:
    """The URL with its password replaced by ***; safe to print."""
    return re.sub(r"(://[^:/@?#]*:)[^@/?#]*@", r"\1***@", url)


def scrub(text: str, *urls: str | None) -> str:
    """`text` with every password of `urls` (and any URL-embedded password) removed."""
    for url in urls:
        if not url:
            continue
        try:
            password = make_url(url).password
        except ArgumentError:
            password = None
        if password:
            text = text.replace(str(password), "***")
    return mask(text)


def sqlalchemy_url(url: str) -> str:
    """`postgresql+psycopg2://` form of `url`, for SQLAlchemy and sqlbag."""
    parsed = _parsed(url)
    return parsed.set(drivername="postgresql+psycopg2").render_as_string(hide_password=False)


def libpq_url(url: str) -> str:
    """`postgresql://` form of `url`, for libpq (psycopg2.connect, psql)."""
    parsed = _parsed(url)
    return parsed.set(drivername="postgresql").render_as_string(hide_password=False)


def with_database(url: str, dbname: str) -> str:
    """The same server and credentials, another database."""
    return _parsed(url).set(database=dbname).render_as_string(hide_password=False)


def database_name(url: str) -> str:
    return _parsed(url).database or ""


def with_search_path(url: str, search_path: str = INSPECTION_SEARCH_PATH) -> str:
    """`url` whose sessions start with an explicit search_path (libpq `options`)."""
    parsed = _parsed(url)
    query = dict(parsed.query)
    query["options"] = f"-c search_path={search_path}"
    return parsed.set(query=query).render_as_string(hide_password=False)


@dataclass(frozen=True)
class ServerVersion:
    num: int  # server_version_num, e.g. 180006

    @property
    def major(self) -> int:
        return self.num // 10000

    def __str__(self) -> str:
        return f"{self.major}.{self.num % 10000}"


def connect(
    url: str,
    *,
    role: str = "target",
    autocommit: bool = False,
    search_path: str | None = None,
) -> psycopg2.extensions.connection:
    """Open a psycopg2 connection; failures become one sentence naming `role` and the
    masked URL. `role` says which database it is ("target", "scratch server")."""
    kwargs: dict = {"application_name": "pgproof", "connect_timeout": _CONNECT_TIMEOUT_S}
    if search_path is not None:
        kwargs["options"] = f"-c search_path={search_path}"
    try:
        conn = psycopg2.connect(libpq_url(url), **kwargs)
    except psycopg2.Error as exc:
        reason = _first_line(str(exc))
        raise ConnectionFailed(
            f"could not connect to the {role} database {mask(url)}: {scrub(reason, url)}; "
            "check the URL, that the server runs and that the credentials are right."
        ) from None
    conn.autocommit = autocommit
    return conn


@contextlib.contextmanager
def connection(url: str, **kwargs) -> Iterator[psycopg2.extensions.connection]:
    """`connect` as a context manager that always closes."""
    conn = connect(url, **kwargs)
    try:
        yield conn
    finally:
        conn.close()


def server_version(conn) -> ServerVersion:
    with conn.cursor() as cur:
        cur.execute("SHOW server_version_num")
        return ServerVersion(int(cur.fetchone()[0]))


def probe(url: str, *, role: str = "target") -> ServerVersion:
    """Connect once, fail early with one sentence, and return the server version."""
    with connection(url, role=role, autocommit=True) as conn:
        return server_version(conn)


def server_message(exc: psycopg2.Error, *urls: str | None) -> str:
    """The server's own message of a failed statement, without its final period and
    without any password of `urls`: ready to go inside one sentence."""
    message = exc.diag.message_primary or _first_line(str(exc))
    return scrub(message.rstrip("."), *urls)


def _first_line(message: str) -> str:
    """libpq's first line says what failed ("... failed: FATAL: password authentication
    failed ..."); the lines after it are generic hints."""
    lines = [" ".join(line.split()) for line in message.strip().splitlines() if line.strip()]
    return (lines[0] if lines else "unknown error").rstrip(".")
