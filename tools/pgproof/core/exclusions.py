"""Which objects pgproof leaves alone: glob patterns over `schema.name`.

`pgproof.*` leaves out the tool's own schema and everything in it;
`public.alembic_version` leaves out one table together with its columns, indexes,
constraints, sequences and comments (they match through their table).
The tool's schema under its former name is always left out, whatever the patterns say:
it is carried over by the first command that writes (own_schema); so is the trash schema
of dropped tables (ledger/kept.py).
"""

from __future__ import annotations

import fnmatch
import functools
import re
from collections.abc import Callable
from dataclasses import dataclass


SCHEMA = "pgproof"  # pgproof's own schema in a target (ledger/own_schema.py)
FORMER_SCHEMA = "pgdeclare"  # the tool's name before the rename
# Tables a plan dropped, kept until purged (ledger/kept.py): never the schema's, never drift.
TRASH_SCHEMA = "pgproof_trash"

DEFAULT_PATTERNS = ("pgproof.*", "public.alembic_version")

# The kinds of object pgproof does not compare, each with its plural (the one registry:
# read/catalog/uncompared.sql lists their objects, `ignore_kinds` in [tool.pgproof] may
# name them). An object of one of these makes `drift` exit 2, since pgproof cannot tell
# whether it matches the schema, unless its kind is ignored.
UNCOMPARED_KINDS: dict[str, str] = {
    "publication": "publications",
    "subscription": "subscriptions",
    "foreign data wrapper": "foreign data wrappers",
    "foreign server": "foreign servers",
    "user mapping": "user mappings",
    "foreign table": "foreign tables",  # as tables (columns) only: not their server or options
    "extended statistics": "extended statistics",
    "text search configuration": "text search configurations",
    "text search dictionary": "text search dictionaries",
    "text search parser": "text search parsers",
    "text search template": "text search templates",
    "cast": "casts",
    "collation comment": "collation comments",  # collations themselves: migra compares them
    "operator": "operators",
    "operator class": "operator classes",
    "operator family": "operator families",
    "aggregate": "aggregates",  # by signature only: not their functions or initial state
    "transform": "transforms",
    "conversion": "conversions",
    "access method": "access methods",
    "language": "languages",
}


@dataclass(frozen=True)
class Exclusions:
    patterns: tuple[str, ...] = DEFAULT_PATTERNS
    # What else is managed (read, compared, planned): the privileges granted to these
    # roles, and the owners of objects. Nothing of either by default.
    managed_roles: tuple[str, ...] = ()
    manage_owners: bool = False
    # Kinds of UNCOMPARED_KINDS the user accepts as not compared (`ignore_kinds`).
    ignored_kinds: tuple[str, ...] = ()

    @property
    def manages_access(self) -> bool:
        return bool(self.managed_roles) or self.manage_owners

    def matches(self, schema: str, name: str | None = None) -> bool:
        """True when `schema.name` is excluded; `name=None` asks about the schema itself,
        which is excluded by a pattern of the form `schema.*`."""
        if schema in (SCHEMA, FORMER_SCHEMA, TRASH_SCHEMA):  # pgproof's own: never the schema's
            return True
        qualified = f"{schema}.*" if name is None else f"{schema}.{name}"
        return _matcher(self.patterns)(qualified) is not None

    def matches_key(self, key: str | None) -> bool:
        """True for a dotted catalog key (`schema.table`) that is excluded."""
        if not key:
            return False
        schema, _, rest = _unquote(key).partition(".")
        return self.matches(schema, rest.split(".")[0] if rest else None)


@functools.lru_cache(maxsize=32)
def _matcher(patterns: tuple[str, ...]) -> Callable[[str], re.Match[str] | None]:
    """One compiled regex for all patterns (fnmatchcase's syntax): a catalog of 1,000
    tables asks this tens of thousands of times."""
    if not patterns:
        return lambda text: None
    return re.compile("|".join(f"(?:{fnmatch.translate(p)})" for p in patterns), re.DOTALL).match


def _unquote(key: str) -> str:
    # Keys are rendered with format('%I'): quotes appear only around unusual names.
    return key.replace('"', "")
