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
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit

from typing import TYPE_CHECKING

from pgproof.core.errors import ConfigError, ConnectionFailed
from pgproof.core.lazy import lazy

if TYPE_CHECKING:
    import psycopg2
    import psycopg2.extensions
else:
    psycopg2 = lazy("psycopg2")  # imported when a connection is made, not for --help

# Definitions the server renders (defaults, index and view definitions) qualify every name
# that is not on the search_path. Both sides of a comparison are therefore inspected with
# this same, explicit search_path, so the same object always renders the same way.
INSPECTION_SEARCH_PATH = "pg_catalog"

_CONNECT_TIMEOUT_S = 10

# Every connection of one command carries the same application_name, recorded in the rows
# it writes to pgproof's tables: a row left `running` whose tag no live session carries
# belongs to a process that is gone (killed, its server restarted).
_SESSION = {"tag": f"pgproof {uuid.uuid4().hex[:12]}"}


def session_tag() -> str:
    return _SESSION["tag"]


def new_session_tag() -> str:
    """A fresh tag for the connections opened from now on (one per apply or fixes run)."""
    _SESSION["tag"] = f"pgproof {uuid.uuid4().hex[:12]}"
    return _SESSION["tag"]


# Secrets seen in URLs, DSNs and the environment this run: `mask` removes them from any
# text, also where a server or a library echoes one out of its URL (a host name made of
# half a password, a connection string in an error).
_SECRETS: set[str] = set()
_MIN_SECRET = 4  # shorter ones are masked only where they stand in a URL or DSN

# scheme://user:password@ (also a malformed scheme:/user, scheme//user): everything up to
# the last '@' of the token, since an unencoded '@' or '/' may sit in the password.
_USERINFO = re.compile(r"(?P<pre>\b[A-Za-z][A-Za-z0-9+.-]*(?::/{1,2}|//)[^\s:/@'\"]*:)[^\s'\"]*@")
# password=... in a query string, a key/value DSN, PGPASSWORD=... or sslpassword=...
_KEYWORD = re.compile(r"(?i)(?P<pre>password\s*=\s*)(?:'(?:[^'\\]|\\.)*'|\"[^\"]*\"|[^\s&'\",;)]+)")
_URL_START = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


def mask(text: str | None, *urls: str | None) -> str:
    """`text` with every password removed: URL userinfo, password= in a query string or
    a key/value DSN, PGPASSWORD-style assignments, and every password this run has seen
    (those of `urls` too), wherever they appear. The one door before anything is
    printed, written to a file or stored in a pgproof table."""
    if text is None:
        return ""
    for url in urls:
        if url:
            remember(url)
    text = _USERINFO.sub(lambda m: m.group("pre") + "***@", str(text))
    text = _KEYWORD.sub(lambda m: m.group("pre") + "***", text)
    for secret in sorted(_SECRETS, key=len, reverse=True):
        # Not inside a longer word: a password "postgres" must not turn postgresql:// into ***ql://.
        text = re.sub(rf"(?<![A-Za-z0-9]){re.escape(secret)}(?![A-Za-z0-9])", "***", text)
    return text


def remember(url_or_dsn: str | None) -> None:
    """Note the passwords of a URL or DSN so `mask` removes them from any later text."""
    if not url_or_dsn:
        return
    found = [m.group(0).split("=", 1)[1].strip().strip("'\"") for m in _KEYWORD.finditer(url_or_dsn)]
    userinfo = re.match(r"^[A-Za-z][A-Za-z0-9+.-]*(?::/{1,2}|//)([^\s/@]*?):(.*)@", url_or_dsn)
    if userinfo:
        found.append(userinfo.group(2).rsplit("@", 1)[0] if "@" in userinfo.group(2) else userinfo.group(2))
    for secret in found:
        for form in {secret, unquote(secret), quote(unquote(secret), safe="")}:
            if len(form) >= _MIN_SECRET:
                _SECRETS.add(form)


def remember_environment(environ: Mapping[str, str]) -> None:
    """PGPASSWORD (and a DATABASE_URL's password) of the environment are secrets too."""
    if len(environ.get("PGPASSWORD") or "") >= _MIN_SECRET:
        _SECRETS.add(environ["PGPASSWORD"])
    remember(environ.get("DATABASE_URL"))


def normalise(text: str, *, what: str = "--db") -> str:
    """A target given as libpq accepts it (postgresql:// or postgres:// URL, or a
    key/value DSN like 'host=db dbname=app user=app') as a checked postgresql:// URL;
    anything else is one sentence that never shows the password."""
    value = text.strip()
    remember(value)
    if not _URL_START.match(value) and "=" in value and "://" not in value:
        return _from_dsn(value, what)
    if value.startswith("postgres://"):
        value = "postgresql://" + value[len("postgres://"):]
    _parsed(value)
    return value


def _from_dsn(dsn: str, what: str) -> str:
    try:
        parts = psycopg2.extensions.parse_dsn(dsn)
    except psycopg2.Error as exc:
        raise ConfigError(
            f"{what} {mask(dsn)!r} is neither a database URL nor a valid key/value connection string "
            f"({mask(_first_line(str(exc)))}); give one like postgresql://user@host:5432/dbname."
        ) from None
    host = parts.pop("host", None)
    query = {k: v for k, v in parts.items() if k not in ("user", "password", "port", "dbname")}
    if host and (host.startswith("/") or "," in host):
        query["host"] = host
        host = None
    port = parts.get("port")
    if port and host:
        host = f"{host}:{_port(port, dsn)}"
    elif port:
        query["port"] = port
    user = parts.get("user")
    userinfo = quote(user, safe="") if user else ""
    if parts.get("password") is not None:
        userinfo += ":" + quote(parts["password"], safe="")
    netloc = (userinfo + "@" if userinfo else "") + (host or "")
    return _Url("postgresql", netloc, parts.get("dbname") or "", tuple(query.items())).render()


def _port(port: str, url: str) -> int:
    if not port.isdigit() or not 0 < int(port) < 65536:
        raise ConfigError(
            f"{mask(url)!r} has the port {port!r}, which is not a number from 1 to 65535; "
            "write one port, like postgresql://user@host:5432/dbname."
        )
    return int(port)


def _check_authority(url: str) -> None:
    """libpq's reading of user:password@host:port, checked so that a typo is one sentence
    (never a ValueError, never a host name made of half a password)."""
    scheme = re.match(r"^[A-Za-z][A-Za-z0-9+.-]*://", url)
    if not scheme:
        return
    rest = url[scheme.end():].split("?", 1)[0]
    userinfo, _, hostpart = rest.rpartition("@")
    if userinfo.count("@") or "/" in userinfo:
        sign = "@" if "@" in userinfo else "/"
        raise ConfigError(
            f"{mask(url)!r} has an unencoded '{sign}' in its user name or password; percent-encode "
            "'@' as %40, '/' as %2F and ':' as %3A."
        )
    hostport = hostpart.split("/", 1)[0]
    if hostport.startswith("[") or "," in hostport:
        return  # an IPv6 address, or several hosts: libpq checks those
    if hostport.count(":") > 1:
        raise ConfigError(
            f"{mask(url)!r} has more than one ':' after its host; write one port, like "
            "postgresql://user@host:5432/dbname (percent-encode ':' in a password as %3A)."
        )
    if hostport.count(":") == 1 and hostport.split(":", 1)[1]:
        _port(hostport.split(":", 1)[1], url)


@dataclass(frozen=True)
class _Url:
    """A database URL in parts; `netloc` (user, password, hosts, ports) is kept as written."""

    driver: str  # postgresql, postgresql+psycopg2
    netloc: str
    database: str
    query: tuple[tuple[str, str], ...]

    @property
    def username(self) -> str | None:
        userinfo, at, _ = self.netloc.rpartition("@")
        return unquote(userinfo.partition(":")[0]) or None if at else None

    @property
    def password(self) -> str | None:
        userinfo, at, _ = self.netloc.rpartition("@")
        if not at or ":" not in userinfo:
            return dict(self.query).get("password")
        return unquote(userinfo.partition(":")[2])

    def render(self) -> str:
        text = f"{self.driver}://{self.netloc}/{quote(self.database, safe='')}"
        if self.query:
            text += "?" + urlencode(self.query, quote_via=quote, safe="/")
        return text


_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*)://")


def _parsed(url: str) -> _Url:
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://"):]
    remember(url)
    match = _SCHEME.match(url)
    if not match:
        raise ConfigError(
            f"{mask(url)!r} is not a database URL; "
            "give one like postgresql://user:password@host:5432/dbname."
        )
    _check_authority(url)
    driver = match.group(1).lower()
    if driver.split("+")[0] not in ("postgresql", "postgres"):
        raise ConfigError(
            f"{mask(url)!r} is not a PostgreSQL URL; give one that starts with postgresql://."
        )
    try:
        parts = urlsplit(url)
    except ValueError:
        raise ConfigError(
            f"{mask(url)!r} is not a database URL; "
            "give one like postgresql://user:password@host:5432/dbname."
        ) from None
    return _Url(
        driver="postgresql" + driver[len(driver.split("+")[0]):],
        netloc=parts.netloc,
        database=unquote(parts.path.lstrip("/")),
        query=tuple(parse_qsl(parts.query, keep_blank_values=True)),
    )


def scrub(text: str, *urls: str | None) -> str:
    """`mask`, under the name the schema copy and the migra wrapper use."""
    return mask(text, *urls)


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
    query = tuple((k, v) for k, v in parsed.query if k != "password")
    return replace(parsed, driver="postgresql", netloc=hosts, query=query).render()


def with_database(url: str, dbname: str) -> str:
    """The same server and credentials, another database."""
    return replace(_parsed(url), database=dbname).render()


def with_user(url: str, user: str, password: str | None) -> str:
    """The same server and database, as another role (`password` None: none)."""
    parsed = _parsed(url)
    hosts = parsed.netloc.rpartition("@")[2]
    userinfo = quote(user, safe="") + (":" + quote(password, safe="") if password else "")
    query = tuple((k, v) for k, v in parsed.query if k not in ("user", "password"))
    rendered = replace(parsed, netloc=f"{userinfo}@{hosts}", query=query).render()
    remember(rendered)
    return rendered


def database_user(url: str) -> str:
    """The role a URL logs in as (libpq's default: the OS user)."""
    import getpass

    parsed = _parsed(url)
    return parsed.username or dict(parsed.query).get("user") or getpass.getuser()


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
    kwargs: dict[str, Any] = {"application_name": session_tag(), "connect_timeout": _CONNECT_TIMEOUT_S}
    if search_path is not None:
        kwargs["options"] = f"-c search_path={search_path}"
    try:
        conn: psycopg2.extensions.connection = psycopg2.connect(libpq_url(url), **kwargs)
    except psycopg2.Error as exc:
        reason = _first_line(str(exc))
        raise ConnectionFailed(
            f"could not connect to the {role} database {mask(url)}: {mask(reason, url)}; "
            "check the URL, that the server runs and that the credentials are right."
        ) from None
    conn.autocommit = autocommit
    return conn


@contextlib.contextmanager
def connection(url: str, **kwargs: Any) -> Iterator[psycopg2.extensions.connection]:
    """`connect` as a context manager that always closes."""
    conn = connect(url, **kwargs)
    try:
        yield conn
    finally:
        conn.close()


def row(cur: psycopg2.extensions.cursor) -> tuple[Any, ...]:
    """The one row of a query that always returns one (an aggregate, SHOW, a function
    call): psycopg2 types fetchone() as optional; here a missing row is a bug."""
    found = cur.fetchone()
    assert found is not None, "the query returned no row"
    return found


def one(cur: psycopg2.extensions.cursor) -> Any:
    """The single value of a query that always returns one row."""
    return row(cur)[0]


def server_version(conn: psycopg2.extensions.connection) -> ServerVersion:
    with conn.cursor() as cur:
        cur.execute("SHOW server_version_num")
        return ServerVersion(int(one(cur)))


def probe(url: str, *, role: str = "target") -> ServerVersion:
    """Connect once, fail early with one sentence, and return the server version."""
    with connection(url, role=role, autocommit=True) as conn:
        return server_version(conn)


def server_message(exc: psycopg2.Error, *urls: str | None) -> str:
    """The server's own message of a failed statement, without its final period and
    without any password of `urls`: ready to go inside one sentence."""
    message = exc.diag.message_primary or _first_line(str(exc))
    return mask(message.rstrip("."), *urls)


def _first_line(message: str) -> str:
    """libpq's first line says what failed ("... failed: FATAL: password authentication
    failed ..."); the lines after it are generic hints."""
    lines = [" ".join(line.split()) for line in message.strip().splitlines() if line.strip()]
    return (lines[0] if lines else "unknown error").rstrip(".")
