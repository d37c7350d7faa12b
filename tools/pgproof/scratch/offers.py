"""Which extensions a scratch provider offers, without starting a server, and the one
sentence that says none offers what a schema creates.

An installation (an embedded wheel, local binaries) offers an extension when
`<sharedir>/extension/<name>.control` exists. A Docker container of
``pgvector/pgvector:pg<major>`` (the official postgres image plus pgvector) offers
PostgreSQL's contrib modules and pgvector: `DOCKER_OFFERS`. A server URL says what it
offers itself (`pg_available_extensions`), once it is reached.

The schema's extensions arrive as data (a set of names read from its files by
`read/desired.py`); nothing here parses SQL.
"""

from __future__ import annotations

from collections.abc import Iterable

from pgproof.scratch.installation import Installation

# The extensions PostgreSQL's own source tree builds (contrib, plus plpgsql), every major
# since 13: the Debian package postgresql-<major> and the official Docker image ship them.
CONTRIB = frozenset({
    "adminpack", "amcheck", "autoinc", "bloom", "btree_gin", "btree_gist", "citext", "cube", "dblink",
    "dict_int", "dict_xsyn", "earthdistance", "file_fdw", "fuzzystrmatch", "hstore", "insert_username",
    "intagg", "intarray", "isn", "lo", "ltree", "moddatetime", "old_snapshot", "pageinspect",
    "pg_buffercache", "pg_freespacemap", "pg_prewarm", "pg_stat_statements", "pg_surgery", "pg_trgm",
    "pg_visibility", "pg_walinspect", "pgcrypto", "pgrowlocks", "pgstattuple", "plpgsql", "postgres_fdw",
    "refint", "seg", "sslinfo", "tablefunc", "tcn", "tsm_system_rows", "tsm_system_time", "unaccent",
    "uuid-ossp", "xml2",
})
DOCKER_OFFERS = CONTRIB | {"vector"}
# Debian's package of an extension that is not contrib, where its name differs.
_DEBIAN_PACKAGE = {"vector": "pgvector", "postgis": "postgis-3", "postgis_topology": "postgis-3",
                   "postgis_raster": "postgis-3", "age": "age", "timescaledb": "timescaledb"}


def offered(installation: Installation) -> frozenset[str]:
    """The extensions `installation` can create: a control file each in its share folder."""
    folder = installation.sharedir() / "extension"
    if not folder.is_dir():
        return frozenset()
    return frozenset(path.name.removesuffix(".control") for path in folder.glob("*.control"))


def lacking(needed: Iterable[str], offers: Iterable[str]) -> list[str]:
    """The names of `needed` that `offers` lacks, sorted."""
    have = set(offers)
    return sorted(set(needed) - have)


def names(extensions: Iterable[str]) -> str:
    """`pgcrypto`, `pgcrypto and uuid-ossp`, `a, b and c`."""
    items = sorted(extensions)
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def debian_packages(major: int, extensions: Iterable[str]) -> list[str]:
    """The Debian packages (PGDG's apt repository) that install `extensions` for `major`:
    contrib comes with postgresql-<major> itself, others in postgresql-<major>-<name>."""
    packages = set()
    for name in extensions:
        if name in CONTRIB:
            packages.add(f"postgresql-{major}")
        else:
            packages.add(f"postgresql-{major}-{_DEBIAN_PACKAGE.get(name, name)}")
    if not any(p.endswith("-pgvector") for p in packages):
        packages.add(f"postgresql-{major}-pgvector")  # a local scratch needs pgvector too
    return sorted(packages)


def how_to_get(major: int, extensions: Iterable[str]) -> str:
    """What to install or pass for a scratch of `major` that offers `extensions`, each
    runnable as printed."""
    return (f"install {names(extensions)} with apt-get install {' '.join(debian_packages(major, extensions))} "
            f"(PostgreSQL's apt repository, see docs/majors.md), or pass --scratch local:BINDIR of an "
            f"installation that has it, --scratch docker, or a postgresql:// URL of a PostgreSQL {major} "
            "server that offers it")


def refusal(spec: str, label: str, lacks: list[str], major: int) -> str:
    """The sentence for a --scratch the user chose that lacks extensions the schema creates."""
    return (f"--scratch {spec} ({label}) does not offer the extension{'s' if len(lacks) > 1 else ''} "
            f"{names(lacks)} that the schema creates; {how_to_get(major, lacks)}.")
