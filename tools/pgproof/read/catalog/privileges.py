"""Privileges and owners as catalog objects, read only when the settings manage them.

Kinds `privilege` (one object per object and managed grantee: the privileges it holds,
`WITH GRANT OPTION` where it may pass them on) and `owner` (one per object). Roles that
`managed_roles` does not list never appear, so they are never drift.
"""

from __future__ import annotations

from importlib import resources

from pgproof.core.exclusions import Exclusions
from pgproof.core.kinds import Kind

PRIVILEGE, OWNER = Kind.PRIVILEGE, Kind.OWNER
KINDS = (PRIVILEGE, OWNER)


def rows(cur, exclusions: Exclusions) -> list[tuple[Kind, dict]]:
    """(kind, row) for every managed privilege and owner, excluded objects left out."""
    found = []
    queries = ([(PRIVILEGE, "privileges.sql")] if exclusions.managed_roles else []) + (
        [(OWNER, "owners.sql")] if exclusions.manage_owners else [])
    for kind, name in queries:
        cur.execute(resources.files(__package__).joinpath(name).read_text(encoding="utf-8"),
                    {"roles": list(exclusions.managed_roles)})
        names = [column.name for column in cur.description]
        for values in cur.fetchall():
            row = dict(zip(names, values))
            if _excluded(row, exclusions):
                continue
            found.append((kind, row))
    return found


def _excluded(row, exclusions: Exclusions) -> bool:
    objtype = row["info"]["objtype"]
    if objtype == "SCHEMA":
        return exclusions.matches(row["schema"])
    if objtype == "DEFAULT":
        return bool(row["name"]) and exclusions.matches(row["schema"])
    return exclusions.matches(row["schema"], row["name"]) or exclusions.matches_key(row["parent"])
