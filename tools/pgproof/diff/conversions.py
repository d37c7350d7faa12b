"""Convert directives: schema.sql says how a column's values convert to its new type,
where no cast leads from the old type to the new one (boolean -> enum, integer -> a
composite type, bigint -> timestamp).

A directive is a comment line of the schema file, in the grammar of the rename
directives, so the file still loads as it is:

    -- pgproof: convert column public."Member"."isActive" using CASE WHEN "isActive" THEN 'ON' ELSE 'OFF' END::"State"

The name is the column as the schema declares it (`schema.table.column`, unqualified
means public); after `using` comes a SQL expression over the table's columns, written
as in `ALTER TABLE ... ALTER COLUMN ... TYPE ... USING`. While the target's column has
another type, the plan changes it with `ALTER COLUMN ... TYPE <new type> USING <the
expression>` instead of migra's cast (the `column-type-cast` gap is then closed), and the
proof runs it on a copy of the target, each row's conversion counted first by the row
checks. Once the target has the new type the directive does nothing, so it can stay
until every database has been planned.

The expression is parsed with pglast alone (it must be one expression) and deparsed
again, so a directive can never add a statement of its own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pglast.ast import ResTarget, SelectStmt

from pgproof.core.errors import SchemaError
from pgproof.core.sql import deparse
from pgproof.core.errors import UnparsableSQL
from pgproof.core.statement import ident, parse, qualified
from pgproof.read.catalog import Catalog
from pgproof.read.desired import SchemaFile

_DIRECTIVE = re.compile(r"^\s*--\s*pgproof:\s*(convert\b.*?)\s*$", re.I)
_CONVERT = re.compile(r"^convert\s+column\s+((?:\"(?:[^\"]|\"\")+\"|[^\s\".]+)(?:\.(?:\"(?:[^\"]|\"\")+\"|[^\s\".]+))*)"
                      r"\s+using\s+(.+)$", re.I)
_PART = re.compile(r'"((?:[^"]|"")+)"|([^".]+)')
FORM = "-- pgproof: convert column SCHEMA.TABLE.COLUMN using EXPRESSION"


@dataclass(frozen=True)
class Conversion:
    table: str  # the table's catalog key (public."Member")
    column: str  # the column's name (unquoted)
    expression: str  # the USING expression, as pglast deparses it
    location: str  # file:line of the directive

    @property
    def key(self) -> str:
        """The column's catalog key."""
        return f"{self.table}.{ident(self.column)}"


def is_directive(text: str) -> bool:
    """Whether a directive's text (after `pgproof:`) is a convert directive."""
    return text.lower().startswith("convert ") or text.lower() == "convert"


def read(files: list[SchemaFile]) -> list[Conversion]:
    """Every convert directive of the schema files, in order; a malformed one is an error
    at file:line."""
    found = []
    for file in files:
        for number, line in enumerate(file.text.splitlines(), start=1):
            directive = _DIRECTIVE.match(line)
            if directive:
                found.append(parse_directive(directive.group(1), f"{file.display}:{number}"))
    return found


def parse_directive(text: str, location: str) -> Conversion:
    """One directive's text (`convert column ... using ...`) as a Conversion."""
    match = _CONVERT.match(text)
    names = _names(match.group(1)) if match else []
    if len(names) == 2:
        names = ["public", *names]
    if not match or len(names) != 3 or not all(names):
        raise SchemaError(
            f"{location}: '-- pgproof: {text}' is not a convert directive pgproof can read; write "
            f"'{FORM}', like '-- pgproof: convert column public.orders.status using status::text::order_status'."
        )
    return Conversion(qualified(*names[:2]), names[2], expression(match.group(2), location), location)


def expression(text: str, location: str) -> str:
    """`text` as one SQL expression, deparsed by pglast; anything else is an error."""
    try:
        nodes = parse(f"SELECT ({text})")
    except UnparsableSQL:
        nodes = ()
    select = nodes[0] if len(nodes) == 1 else None
    if (not isinstance(select, SelectStmt) or not select.targetList or len(select.targetList) != 1
            or select.fromClause or select.whereClause or not isinstance(select.targetList[0], ResTarget)):
        raise SchemaError(
            f"{location}: the convert directive's USING part ({' '.join(text.split())[:120]}) is not one SQL "
            "expression; write the expression alone, as in ALTER TABLE ... ALTER COLUMN ... TYPE ... USING."
        )
    value = select.targetList[0].val
    assert value is not None  # a ResTarget of a SELECT list always holds its value
    return deparse(value)


def check(conversions: list[Conversion], desired: Catalog) -> dict[str, str]:
    """The directives by column key; one naming a column the schema does not declare is
    an error at file:line, and so are two for one column."""
    result: dict[str, str] = {}
    for conversion in conversions:
        if desired.get("column", conversion.key) is None:
            raise SchemaError(
                f"{conversion.location}: the convert directive names {conversion.key}, a column the schema "
                "does not declare; fix the directive's name (schema.table.column) or remove the directive."
            )
        if conversion.key in result:
            raise SchemaError(
                f"{conversion.location}: a second convert directive for {conversion.key}; keep one of them."
            )
        result[conversion.key] = conversion.expression
    return result


def _names(text: str) -> list[str]:
    return [quoted.replace('""', '"') if quoted else plain.lower() for quoted, plain in _PART.findall(text)]
