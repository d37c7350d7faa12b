"""Connection URLs and connections: the only place that opens one, masks passwords in
what it prints, and turns a driver failure into one sentence.

URLs are accepted as `postgresql://...` (libpq form) and converted to
`postgresql+psycopg2://` for SQLAlchemy, which would otherwise pick psycopg 3. They are
parsed here rather than with SQLAlchemy's `make_url`: importing SQLAlchemy costs a
quarter of a second, and only the migra call needs it.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit

import psycopg2
import psycopg2.extensions

from .errors import ConfigError, ConnectionFailed

# Definitions the server renders (defaults, index and view definitions) qualify every name
# that is not on the search_path. Both sides of a comparison are therefore inspected with
# this same, explicit search_path, so the same object always renders the same way.
INSPECTION_SEARCH_PATH = "pg_catalog"

_CONNECT_TIMEOUT_S = 10


@dataclass(frozen=True)
class _Url:
    """A database URL in parts; `netloc` (user, password, hosts, ports) is kept as written."""

    driver: str  # postgresql, postgresql+psycopg2
    netloc: str
    database: str
    query: tuple[tuple[str, str], ...]

    @property
    def password(self) -> str | None:
        userinfo, at, _ = self.netloc.rpartition("@")
        if not at or ":" not in userinfo:
            return None
        return unquote(userinfo.partition(":")[2])

    def render(self) -> str:
        text = f"{self.driver}://{self.netloc}/{quote(self.database, safe='')}"
        if self.query:
            text += "?" + urlencode(self.query, quote_via=quote, safe="/")
        return text


_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*)://")


def _parsed(url: str) -> _Url:
    match = _SCHEME.match(url)
    if not match:
        raise ConfigError(
            f"{mask(url)!r} is not a database URL; "
            "give one like postgresql://user:password@host:5432/dbname."
        )
    driver = match.group(1).lower()
    if driver.split("+")[0] not in ("postgresql", "postgres"):
        raise ConfigError(
            f"{mask(url)!r} is not a PostgreSQL URL; give one that starts with postgresql://."
        )
    parts = urlsplit(url)
    return _Url(
        driver="postgresql" + driver[len(driver.split("+")[0]):],
        netloc=parts.netloc,
        database=unquote(parts.path.lstrip("/")),
        query=tuple(parse_qsl(parts.query, keep_blank_values=True)),
    )


def mask(url: str) -> str:
    """The URL with its password replaced by ***; safe to print."""
    return re.sub(r"(://[^:/@?#]*:)[^@/?#]*@", r"\1***@", url)


def scrub(text: str, *urls: str | None) -> str:
    """`text` with every password of `urls` (and any URL-embedded password) removed."""
    for url in urls:
        if not url:
            continue
        try:
            password = _parsed(url).password
        except ConfigError:
            password = None
        if password:
            text = text.replace(password, "***")
    return mask(text)


def sqlalchemy_url(url: str) -> str:
    """`postgresql+psycopg2://` form of `url`, for SQLAlchemy and sqlbag."""
    return replace(_parsed(url), driver="postgresql+psycopg2").render()


def libpq_url(url: str) -> str:
    """`postgresql://` form of `url`, for libpq (psycopg2.connect, psql)."""
    return replace(_parsed(url), driver="postgresql").render()


def password(url: str) -> str | None:
    return _parsed(url).password


def without_password(url: str) -> str:
    """The libpq URL with no password in it (the password goes in PGPASSWORD instead)."""
    parsed = _parsed(url)
    userinfo, at, hosts = parsed.netloc.rpartition("@")
    if at:
        hosts = userinfo.partition(":")[0] + "@" + hosts
    return replace(parsed, driver="postgresql", netloc=hosts).render()


def with_database(url: str, dbname: str) -> str:
    """The same server and credentials, another database."""
    return replace(_parsed(url), database=dbname).render()


def database_name(url: str) -> str:
    return _parsed(url).database


def with_search_path(url: str, search_path: str = INSPECTION_SEARCH_PATH) -> str:
    """`url` whose sessions start with an explicit search_path (libpq `options`)."""
    parsed = _parsed(url)
    query = dict(parsed.query)
    query["options"] = f"-c search_path={search_path}"
    return replace(parsed, query=tuple(query.items())).render()


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
