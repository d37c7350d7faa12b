"""migra's enum recast written with the column quoted (diff/migra/quoting.py), and the
convert directive read (diff/conversions.py), table-driven. No server."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from pglast.ast import AlterTableStmt, ColumnRef, TypeCast
from pglast.visitors import Visitor

from pgproof.core.errors import SchemaError
from pgproof.core.statement import parse
from pgproof.diff import conversions
from pgproof.diff.migra import quoting

# (column name as the catalog has it, what PostgreSQL must read back)
COLUMNS = [
    ("orderStatus", "orderStatus"),
    ("status", "status"),
    ("Order Status", "Order Status"),
    ('say "hi"', 'say "hi"'),
    ("select", "select"),
    ("ünïcode", "ünïcode"),
    ("x; DROP TABLE t; --", "x; DROP TABLE t; --"),
]


def _column(name: str):
    enum = SimpleNamespace(quoted_full_name='"public"."OrderStatus"')
    return SimpleNamespace(name=name, is_enum=True, enum=enum)


class _Refs(Visitor):
    def __init__(self) -> None:
        self.names: list[str] = []

    def visit_ColumnRef(self, ancestors, node: ColumnRef) -> None:
        self.names.append(node.fields[-1].sval)


@pytest.mark.parametrize(("name", "read_back"), COLUMNS, ids=[c[0] for c in COLUMNS])
def test_the_enum_recast_quotes_the_column_everywhere(name, read_back):
    sql = quoting._enum_recast(_column(name), '"public"."Order"')
    (statement,) = parse(sql)  # one statement, whatever the name holds
    assert isinstance(statement, AlterTableStmt)
    (command,) = statement.cmds
    assert command.name == read_back  # ALTER COLUMN <name>
    using = command.def_.raw_default
    assert isinstance(using, TypeCast)
    refs = _Refs()
    refs(using)
    assert refs.names == [read_back]  # USING <name>::text::..., never folded to lower case


def test_the_enum_recast_refuses_a_column_that_is_no_enum():
    column = _column("x")
    column.is_enum = False
    with pytest.raises(ValueError):
        quoting._enum_recast(column, "t")


# (directive text after `pgproof:`, table key, column, expression as deparsed)
DIRECTIVES = [
    ('convert column public."Member"."isActive" using CASE WHEN "isActive" THEN \'A\' ELSE \'I\' END::"State"',
     'public."Member"', "isActive", "CAST(CASE WHEN \"isActive\" THEN 'A' ELSE 'I' END AS \"State\")"),
    ("convert column items.mood using mood::text::mood", "public.items", "mood", "CAST(CAST(mood AS text) AS mood)"),
    ('CONVERT COLUMN app."Log"."createdAt" USING to_timestamp("createdAt")', 'app."Log"', "createdAt",
     'to_timestamp("createdAt")'),
    ("convert column Orders.Total using ROW(total, 'EUR')", "public.orders", "total", "ROW(total, 'EUR')"),
]


@pytest.mark.parametrize(("text", "table", "column", "expression"), DIRECTIVES, ids=[d[2] + d[1] for d in DIRECTIVES])
def test_a_directive_reads_as_column_and_expression(text, table, column, expression):
    found = conversions.parse_directive(text, "schema.sql:3")
    assert (found.table, found.column, found.expression) == (table, column, expression)


BAD = [
    "convert column public.t.c",  # no using
    "convert column c using c::int",  # no table
    "convert column a.b.c.d using c::int",  # too many parts
    "convert column t.c using c::int; DROP TABLE t",  # a second statement
    "convert column t.c using 1) FROM pg_class; SELECT (1",  # not one expression
    "convert column t.c using",  # nothing after using
    "convert table t using x",  # not a column
]


@pytest.mark.parametrize("text", BAD)
def test_a_malformed_directive_is_an_error_at_its_line(text):
    with pytest.raises(SchemaError, match=r"^schema\.sql:7: "):
        conversions.parse_directive(text, "schema.sql:7")


@pytest.mark.parametrize(("text", "is_convert"), [
    ("convert column t.c using c::int", True),
    ("Convert column t.c using c::int", True),
    ("rename column public.t.c from d", False),
    ("converted", False),
])
def test_convert_directives_are_told_from_rename_directives(text, is_convert):
    assert conversions.is_directive(text) is is_convert
