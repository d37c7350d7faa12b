"""May this role apply this plan? Checked before anything changes, so a read-only role
(enough for diff, plan and drift) is told so in one sentence instead of failing halfway."""

from __future__ import annotations

from pglast.ast import AlterTableStmt, CreateStmt, IndexStmt, ViewStmt

from pgproof.core import db
from pgproof.core.errors import ApplyError
from pgproof.core.sql import table_key
from pgproof.ledger.own_schema import SCHEMA
from pgproof.core.statement import Statement, ident


def require_write(url: str, statements: tuple[Statement, ...] | list[Statement]) -> None:
    tables, schemas = _touched(statements)
    with db.connection(url) as conn:
        conn.set_session(readonly=True)
        with conn.cursor() as cur:
            cur.execute(
                "SELECT current_user, pg_is_in_recovery(), current_setting('default_transaction_read_only'),"
                " has_database_privilege(current_database(), 'CREATE'),"
                " to_regnamespace(%s) IS NOT NULL AND has_schema_privilege(%s, 'CREATE')",
                (SCHEMA, SCHEMA),
            )
            user, standby, read_only, create_db, own_schema = cur.fetchone()
            problems = []
            if standby:
                problems.append("the target is a read-only standby")
            if read_only == "on":
                problems.append(f"role {user} starts read-only transactions (default_transaction_read_only)")
            if not (create_db or own_schema):
                problems.append(f"role {user} cannot create the {SCHEMA} schema for the apply history"
                                " (needs CREATE on the database)")
            for table in sorted(tables):
                cur.execute(
                    "SELECT pg_get_userbyid(relowner), pg_has_role(current_user, relowner, 'USAGE') "
                    "FROM pg_class WHERE oid = to_regclass(%s)", (table,),
                )
                row = cur.fetchone()
                if row and not row[1]:
                    problems.append(f"role {user} does not own {table} (its owner is {row[0]})")
            for schema in sorted(schemas):
                # to_regnamespace parses its argument (and before PostgreSQL 16 raises on a name
                # with spaces): quoted; has_schema_privilege takes the plain name
                cur.execute("SELECT to_regnamespace(%s) IS NULL OR has_schema_privilege(%s, 'CREATE')",
                            (ident(schema), schema))
                if not cur.fetchone()[0]:
                    problems.append(f"role {user} cannot create objects in schema {schema}")
        conn.rollback()
    if problems:
        raise ApplyError(
            f"cannot apply with this role: {'; '.join(problems[:3])}; nothing was changed: "
            "apply with the owner of the schema (diff, plan and drift need only read access)."
        )


def _touched(statements) -> tuple[set[str], set[str]]:
    """Existing tables the statements alter, and schemas they create objects in."""
    tables: set[str] = set()
    schemas: set[str] = set()
    for statement in statements:
        for node in statement.nodes:
            if isinstance(node, (AlterTableStmt, IndexStmt)):
                tables.add(table_key(node.relation))
            elif isinstance(node, (CreateStmt, ViewStmt)):
                relation = node.relation if isinstance(node, CreateStmt) else node.view
                schemas.add(relation.schemaname or "public")
    return tables, schemas
