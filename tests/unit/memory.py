"""Facts about a target built in memory, for the unit tests of hazards and rewrites: a
`Catalog` of the few objects a case names, and `TargetFacts` whose row counts come from
a table instead of a database."""

from __future__ import annotations

from pgproof.core.statement import Statement, split_sql
from pgproof.plan.hazards import TargetFacts
from pgproof.read.catalog import Catalog, CatalogObject


def catalog(*, tables: dict[str, str] | None = None, columns: dict[str, str] | None = None,
            indexes: dict[str, str] | None = None) -> Catalog:
    """A catalog of `tables` (key -> relkind: "r" plain, "p" partitioned), `columns`
    (table.column -> type, as the catalog writes it) and `indexes` (key -> its table)."""
    objects: dict[tuple[str, str], CatalogObject] = {}

    def add(kind: str, key: str, parent: str | None, definition: dict) -> None:
        schema, _, name = key.rpartition(".")
        objects[(kind, key)] = CatalogObject(kind, key, schema.split(".")[0], name, parent, definition)

    for key, relkind in (tables or {}).items():
        add("table", key, None, {"relkind": relkind})
    for key, type_ in (columns or {}).items():
        add("column", key, key.rsplit(".", 1)[0], {"type": type_})
    for key, table in (indexes or {}).items():
        add("index", key, table, {})
    return Catalog(objects)


class Facts(TargetFacts):
    """TargetFacts answering from `counts` (the SQL a detector asks -> its integer; None:
    the query fails, as a cast that errors does) and `rows` (table -> row count); any
    other question answers `default`."""

    def __init__(self, catalog_: Catalog, *, rows: dict[str, int] | None = None,
                 counts: dict[str, int | None] | None = None, default: int | None = 0) -> None:
        super().__init__(None, catalog_)
        self.answers = {f"SELECT count(*) FROM {t}": n for t, n in (rows or {}).items()} | (counts or {})
        self.default = default
        self.asked: list[str] = []

    def _run(self, sql: str) -> int | None:
        self.asked.append(sql)
        return self.answers.get(sql, self.default)


def statements(sql: str) -> list[Statement]:
    """Each statement of `sql`, as a diff hands it on (transactional, from migra)."""
    return [Statement(text) for text in split_sql(sql)]
