"""The object kinds pgproof manages, and what each one is: one registry that the catalog,
the statements' touches, the dependency order, the guard, renames, majors and inspect
read, so a new kind is one row here plus its catalog query.

`Kind` is a `StrEnum`: a kind is still the plain string the catalog keys, plan files and
JSON reports carry ("table"), so reading those needs no conversion.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Kind(enum.StrEnum):
    SCHEMA = "schema"
    EXTENSION = "extension"
    TYPE = "type"  # enums, domains, composite and range types
    SEQUENCE = "sequence"
    TABLE = "table"  # also partitioned and foreign tables
    COLUMN = "column"
    INDEX = "index"
    CONSTRAINT = "constraint"
    VIEW = "view"  # also materialized views
    FUNCTION = "function"  # also procedures and aggregates
    TRIGGER = "trigger"
    POLICY = "policy"
    RULE = "rule"  # a rewrite rule of a table (a view's _RETURN rule is the view)
    EVENT_TRIGGER = "event trigger"  # a superuser's object: named as such, never run silently
    COMMENT = "comment"
    PRIVILEGE = "privilege"  # only when managed_roles lists roles
    OWNER = "owner"  # only when manage_owners is on


@dataclass(frozen=True)
class Facts:
    query: str | None = None  # the catalog query file listing the kind (catalog/<query>)
    child: bool = False  # its key is its table's key plus its own name
    key_parts: int = 2  # dotted parts of a fully qualified key (schema.name = 2)
    renamable: bool = False  # a `-- pgproof: rename KIND NEW from OLD` directive may name it
    rendered: bool = False  # the server renders its definition, differently across majors
    relation: bool = False  # a statement names it where it names a table (FROM, nextval)


# In the order of reports and of the catalog's reads.
FACTS: dict[Kind, Facts] = {
    Kind.SCHEMA: Facts("schemas.sql", key_parts=1),
    Kind.EXTENSION: Facts("extensions.sql", key_parts=1),
    Kind.TYPE: Facts("types.sql"),
    Kind.SEQUENCE: Facts("sequences.sql", relation=True),
    Kind.TABLE: Facts("tables.sql", renamable=True, relation=True),
    Kind.COLUMN: Facts("columns.sql", child=True, key_parts=3, renamable=True),
    Kind.INDEX: Facts("indexes.sql", child=True, renamable=True),
    Kind.CONSTRAINT: Facts("constraints.sql", child=True, key_parts=3, renamable=True),
    Kind.VIEW: Facts("views.sql", renamable=True, rendered=True, relation=True),
    Kind.FUNCTION: Facts("functions.sql", rendered=True),
    Kind.TRIGGER: Facts("triggers.sql", child=True, key_parts=3, rendered=True),
    Kind.POLICY: Facts("policies.sql", child=True, key_parts=3, rendered=True),
    Kind.RULE: Facts("rules.sql", child=True, key_parts=3, rendered=True),
    Kind.EVENT_TRIGGER: Facts("event_triggers.sql", key_parts=1),
    Kind.COMMENT: Facts(),
    Kind.PRIVILEGE: Facts(),
    Kind.OWNER: Facts(),
}


def where(**wanted: bool) -> tuple[Kind, ...]:
    """The kinds whose facts have every `wanted` value, in registry order:
    `where(renamable=True)`."""
    return tuple(kind for kind, facts in FACTS.items()
                 if all(getattr(facts, name) == value for name, value in wanted.items()))
