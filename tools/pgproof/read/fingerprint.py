"""The catalog fingerprint: one hash of everything the comparison reads, taken in one
query, so that a target equal to the desired schema is known without the comparison.

`catalog/fingerprint.sql` lists one row per object of the schemas pgproof compares (tables,
columns, constraints, indexes, views, functions, triggers, sequences, types, extensions
and their versions, schemas, comments, owners and privileges where managed, policies,
rules, event triggers, collations, default privileges), each with the md5 of an OID-free
text of its definition. The rows left out are those the comparison leaves out (the same
`Exclusions`); the rest, sorted, hash to the fingerprint, together with the settings that
change the comparison. Equal fingerprints mean no drift; a difference is only a reason
for the full comparison (it covers more than the comparison does, where in doubt).

The kinds pgproof does not compare are not in it: `uncompared.read`, in the same
snapshot, lists them (drift reports them whatever the fingerprint says).
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from pgproof.core import db
from pgproof.core.exclusions import Exclusions
from pgproof.read import uncompared

VERSION = 1  # bump when what the query reads changes: fingerprints of two versions never match

# Kinds whose rows belong to a table (or domain): left out with it, as the comparison does.
_OF_A_TABLE = frozenset({"column", "constraint", "index", "trigger", "policy", "rule"})


@dataclass(frozen=True)
class Fingerprint:
    """A database's fingerprint, and what it holds of the kinds pgproof does not compare."""

    digest: str
    uncompared: dict[str, tuple[str, ...]]


def settings_of(exclusions: Exclusions) -> dict:
    """The settings that change what the comparison reads, as plain data."""
    return {"patterns": list(exclusions.patterns), "roles": sorted(exclusions.managed_roles),
            "owners": exclusions.manage_owners, "ignored_kinds": sorted(exclusions.ignored_kinds)}


def read(url: str, exclusions: Exclusions = Exclusions(), *, role: str = "target") -> Fingerprint:
    """The fingerprint of the database at `url` (read-only, one snapshot)."""
    with db.connection(url, role=role, search_path=db.INSPECTION_SEARCH_PATH) as conn:
        conn.set_session(readonly=True, isolation_level="REPEATABLE READ")
        with conn.cursor() as cur:
            digest = of_cursor(cur, exclusions)
            found = uncompared.read(cur, exclusions)
        conn.rollback()
    return Fingerprint(digest, found)


def of_cursor(cur, exclusions: Exclusions) -> str:
    """The fingerprint of the database of `cur` (whose search_path is pg_catalog)."""
    cur.execute(query(), {"roles": list(exclusions.managed_roles), "owners": exclusions.manage_owners})
    lines = sorted(
        f"{kind}\x1f{schema}\x1f{table or ''}\x1f{name}\x1f{digest}"
        for kind, schema, name, table, digest in cur.fetchall()
        if not _excluded(kind, schema, name, table, exclusions)
    )
    whole = hashlib.sha256(json.dumps([VERSION, settings_of(exclusions)], sort_keys=True).encode())
    for line in lines:
        whole.update(line.encode())
        whole.update(b"\n")
    return whole.hexdigest()


def _excluded(kind: str, schema: str, name: str, table: str | None, exclusions: Exclusions) -> bool:
    """Left out as the comparison leaves it out; where the catalog check and migra differ,
    kept (a false difference costs only the full comparison)."""
    if kind == "schema":
        return exclusions.matches(schema)
    if kind == "event trigger":
        return False
    if kind == "default privileges":
        return bool(schema) and exclusions.matches(schema)
    if kind in _OF_A_TABLE:
        return exclusions.matches(schema, table)
    return exclusions.matches(schema, name)


_PLACEHOLDER = re.compile(r"\{(owner|acl|comment):([^}]*)\}")


@lru_cache(maxsize=1)
def query() -> str:
    """fingerprint.sql with its placeholders written out: {owner:oid}, {acl:acl:owner:kind}
    ({kind} a letter of acldefault, an expression, or NULL), {comment:oid:catalog:subid}."""
    text = resources.files("pgproof.read.catalog").joinpath("fingerprint.sql").read_text(encoding="utf-8")
    return _PLACEHOLDER.sub(_expand, text)


def _expand(match: re.Match[str]) -> str:
    what, args = match.group(1), match.group(2).split(":")
    if what == "owner":
        return f"CASE WHEN %(owners)s THEN pg_get_userbyid({args[0]})::text END"
    if what == "comment":
        oid, catalog, subid = args
        return (f"(SELECT d.description FROM pg_description d WHERE d.objoid = {oid} "
                f"AND d.classoid = 'pg_catalog.{catalog}'::regclass AND d.objsubid = {subid})")
    acl, owner, kind = args
    kind = f"'{kind}'" if len(kind) == 1 else kind
    return (
        "(SELECT jsonb_agg(x.role || ' ' || x.privilege_type || ' ' || x.is_grantable::text"
        " ORDER BY x.role, x.privilege_type) FROM (SELECT CASE WHEN a.grantee = 0 THEN 'PUBLIC'"
        " ELSE pg_get_userbyid(a.grantee)::text END AS role, a.privilege_type, a.is_grantable"
        f" FROM aclexplode(coalesce({acl}, acldefault(({kind})::\"char\", {owner}))) a"
        f" WHERE a.grantee IS DISTINCT FROM {owner}) x WHERE x.role = ANY (%(roles)s))"
    )
