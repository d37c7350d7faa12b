"""Managed privileges and owners: GRANT / REVOKE / ALTER ... OWNER from the catalog
comparison, opt-in (`managed_roles`, `manage_owners` in [tool.pgproof]).

The catalog check reads the ACL items of the managed roles and the owners
(`catalog/privileges.sql`, `catalog/owners.sql`); this module writes the statements that
make the target's equal to the desired ones. They run after every other statement (the
objects exist by then): owners first, since a new owner takes over the old owner's
privileges, then grants and revokes. A REVOKE on an object that is being dropped is left
out; an object a statement creates again (a view migra drops and re-creates) gets its
desired grants again.

pgproof never creates roles in the target: a role it needs there and cannot find is one
error. The scratch server, though, must know every role the schema names before the
schema loads, so those roles are created there (NOLOGIN, no privileges) if missing.
"""

from __future__ import annotations

import contextlib

import psycopg2
import psycopg2.errors
from pglast import ast
from pglast.visitors import Visitor

from pgproof.core import db
from pgproof.scratch import sandbox
from pgproof.read.catalog import Catalog, Difference, compare, describe
from pgproof.read.catalog.privileges import KINDS, OWNER, PRIVILEGE

from pgproof.read.desired import SchemaFile
from pgproof.read.desired import statements as schema_statements
from pgproof.core.errors import ConfigError
from pgproof.core.exclusions import Exclusions
from pgproof.diff.gaps import touched
from pgproof.core.statement import CATALOG, Statement, ident

__all__ = ["KINDS", "statements", "roles_named", "require_roles", "create_scratch_roles", "replicate"]

_OBJECT_KINDS = {"TABLE": ("table", "view"), "SEQUENCE": ("sequence",), "COLUMN": ("column",),
                 "FUNCTION": ("function",), "PROCEDURE": ("function",), "SCHEMA": ("schema",)}


def statements(desired: Catalog, actual: Catalog, differences: list[Difference],
               made: list[Statement]) -> list[Statement]:
    """ALTER ... OWNER, then GRANT / REVOKE, for every managed difference."""
    owners = [_owner(d) for d in differences if d.kind == OWNER and d.desired is not None]
    grants: list[str] = []
    handled = set()
    # Column privileges after the table's: a table-level REVOKE also takes the columns'.
    for difference in sorted((d for d in differences if d.kind == PRIVILEGE), key=lambda d: d.key.startswith("COLUMN ")):
        info = (desired.get(PRIVILEGE, difference.key) or actual.get(PRIVILEGE, difference.key)).info
        if difference.desired is None and not _still_there(info, desired):
            continue  # the object goes, and its privileges with it
        handled.add(difference.key)
        grants += _privilege(info, _held(difference.desired), _held(difference.actual))
    for obj in _recreated(desired, actual, made):
        if obj.key not in handled:
            grants += _privilege(obj.info, _held(obj.definition), {})
    return [Statement(sql, origin=CATALOG) for sql in owners + grants]


def _held(definition: dict | None) -> dict[str, bool]:
    """privilege -> whether it may be granted on."""
    held: dict[str, bool] = {}
    for entry in (definition or {}).get("privileges", []):
        name, _, option = entry.partition(" WITH GRANT OPTION")
        held[name] = bool(_) or held.get(name, False)
    return held


def _still_there(info: dict, desired: Catalog) -> bool:
    if info["objtype"] == "DEFAULT":
        return True
    return any(desired.get(kind, info["target"]) for kind in _OBJECT_KINDS[info["objtype"]])


def _privilege(info: dict, want: dict[str, bool], have: dict[str, bool]) -> list[str]:
    grant, grant_option, revoke, revoke_option = [], [], [], []
    for name in sorted(set(want) | set(have)):
        if name not in want:
            revoke.append(name)
        elif want[name] and not have.get(name):
            grant_option.append(name)
        elif not want[name] and have.get(name):
            revoke_option.append(name)
        elif name not in have:
            grant.append(name)
    role = info["grantee"]
    result = []
    for names, verb, suffix in ((revoke, "REVOKE", ""), (revoke_option, "REVOKE GRANT OPTION FOR", ""),
                                (grant, "GRANT", ""), (grant_option, "GRANT", " WITH GRANT OPTION")):
        if names:
            result.append(_render(info, verb, names, role) + suffix)
    return result


def _render(info: dict, verb: str, names: list[str], role: str) -> str:
    to = "FROM" if verb.startswith("REVOKE") else "TO"
    objtype, target = info["objtype"], info["target"]
    if objtype == "DEFAULT":  # FOR ROLE r [IN SCHEMA s] ON TABLES
        scope, _, on = target.rpartition(" ON ")
        return f"ALTER DEFAULT PRIVILEGES {scope} {verb} {', '.join(names)} ON {on} {to} {role}"
    if objtype == "COLUMN":
        table = target.rsplit(".", 1)[0]
        column = ident(info["column"])
        return f"{verb} {', '.join(f'{n} ({column})' for n in names)} ON TABLE {table} {to} {role}"
    return f"{verb} {', '.join(names)} ON {objtype} {target} {to} {role}"


def _owner(difference: Difference) -> str:
    objtype, target = difference.key.split(" ", 1)
    for two_words in ("MATERIALIZED VIEW", "FOREIGN TABLE"):
        if difference.key.startswith(two_words + " "):
            objtype, target = two_words, difference.key[len(two_words) + 1:]
    return f"ALTER {objtype} {target} OWNER TO {ident(difference.desired['owner'])}"


def _recreated(desired: Catalog, actual: Catalog, made: list[Statement]):
    """Desired privileges of objects that exist in the target and that a statement
    creates again (they come back with default privileges only)."""
    if not desired.of_kind(PRIVILEGE):
        return []  # nothing managed: no statement needs reading
    again = set()
    for statement in made:
        for touch in touched.read(statement):
            if touch.action == touched.CREATE and touch.kind in ("table", "view", "function", "sequence"):
                again.add(touch.key)
    if not again:
        return []
    return [obj for obj in desired.of_kind(PRIVILEGE)
            if obj.info["objtype"] != "DEFAULT" and touched.function_key(obj.info["target"]) in again
            and any(actual.get(kind, obj.info["target"]) for kind in _OBJECT_KINDS[obj.info["objtype"]])]


# --- roles ----------------------------------------------------------------------------

class _Roles(Visitor):
    def __init__(self) -> None:
        super().__init__()
        self.names: set[str] = set()

    def visit_RoleSpec(self, ancestors, node: ast.RoleSpec) -> None:
        if node.rolename:
            self.names.add(node.rolename)


def roles_named(files: list[SchemaFile], exclusions: Exclusions) -> list[str]:
    """The managed roles and every role the schema files name (GRANT, OWNER TO, FOR ROLE)."""
    visitor = _Roles()
    for statement in schema_statements(files):  # a syntax error is reported at file:line:col
        for node in statement.nodes:
            visitor(node)
    return sorted((visitor.names | set(exclusions.managed_roles)) - {"PUBLIC", "public"})


def require_roles(url: str, names: list[str]) -> None:
    """Every role in `names` exists on the target; pgproof never creates one there."""
    missing = _missing(url, names)
    if missing:
        role = missing[0]
        raise ConfigError(
            f"role {role} (in managed_roles or named by the schema) does not exist on the target, and pgproof "
            f"does not create roles; create it first (CREATE ROLE {ident(role)} NOLOGIN;) or remove it."
        )


def create_scratch_roles(server_url: str, names: list[str]) -> None:
    """The roles a schema names, on the scratch server (NOLOGIN), so its GRANTs load."""
    missing = _missing(server_url, names)
    if missing:
        with db.connection(server_url, role="scratch server", autocommit=True) as conn:
            with conn.cursor() as cur:
                for role in missing:
                    with contextlib.suppress(psycopg2.errors.DuplicateObject, psycopg2.errors.UniqueViolation):
                        cur.execute(f"CREATE ROLE {ident(role)} NOLOGIN")  # or another run just did
    sandbox.make_member(server_url, names)  # so that the schema's OWNER TO loads as the loader


def _missing(url: str, names: list[str]) -> list[str]:
    if not names:
        return []
    with db.connection(url) as conn:
        with conn.cursor() as cur:
            cur.execute("SELECT name FROM unnest(%s::text[]) name WHERE NOT EXISTS "
                        "(SELECT FROM pg_roles WHERE rolname = name) ORDER BY name", (list(names),))
            return [row[0] for row in cur.fetchall()]


def replicate(copy_url: str, server_url: str, actual: Catalog, exclusions: Exclusions) -> None:
    """Give the proof's copy (restored without owners and privileges) the target's
    managed owners and privileges."""
    if not exclusions.manages_access:
        return
    wanted = {ref: obj for ref, obj in actual.objects.items() if obj.kind in KINDS}
    roles = {obj.definition["owner"] for obj in wanted.values() if obj.kind == OWNER}
    roles |= {obj.info["target"].split(" ")[2] for obj in wanted.values()
              if obj.kind == PRIVILEGE and obj.info["objtype"] == "DEFAULT"}
    create_scratch_roles(server_url, sorted(set(exclusions.managed_roles) | {r.strip('"') for r in roles}))
    copy = describe(copy_url, exclusions, role="scratch")
    todo = statements(actual, copy, compare(actual, copy), [])
    if not todo:
        return
    with db.connection(copy_url, role="scratch") as conn:
        with conn.cursor() as cur:
            for statement in todo:
                cur.execute(statement.sql)
        conn.commit()
