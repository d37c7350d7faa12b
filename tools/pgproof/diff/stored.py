"""A side kept as data: what the warm cache stores of a read database, and how it is
read back without running any code the file could choose.

A `Side` holds schemainspect's inspector (objects of its own classes) and pgproof's
catalog. Neither is stored as objects: the inspector is stored as the rows of the
catalog queries schemainspect ran, in order (`Recording`), and rebuilt on read by
schemainspect's own code from a connection that answers each query with its recorded
rows (`Replay`); a query other than the recorded one (another schemainspect) fails the
read, and the entry is built again. The catalog is stored as its objects' fields.
Everything is JSON; a value JSON has no type for is tagged (`_tag`), and any other is
refused when the entry is written, so what is read back is what was read.
"""

from __future__ import annotations

import datetime
import decimal
import hashlib
from collections import namedtuple
from collections.abc import Callable
from typing import Any

from pgproof.core.exclusions import Exclusions
from pgproof.core.kinds import Kind
from pgproof.read.catalog import Catalog, CatalogObject

FORMAT = 1  # of the stored side; the cache key holds it too


class Unreadable(Exception):
    """A stored side that cannot be rebuilt (another schemainspect, a damaged entry)."""


class Recording:
    """A cursor for schemainspect that passes each query to a real named-tuple cursor
    and records the rows it returns."""

    def __init__(self, cursor: Any) -> None:
        self._cursor = cursor
        self.connection = cursor.connection  # schemainspect reads server_version from it
        self.queries: list[dict[str, Any]] = []

    def execute(self, query: str, *args: Any) -> None:
        if args:
            raise Unreadable("schemainspect passed parameters to a query; check the pin")
        self._cursor.execute(query)
        self.queries.append({"sha256": _digest(query)})

    def fetchall(self) -> list[Any]:
        rows = self._cursor.fetchall()
        columns = [column.name for column in self._cursor.description]
        if all(_plain(v) for row in rows for v in row):  # almost always: read back as they are
            self.queries[-1].update(columns=columns, rows=[list(row) for row in rows], tagged=False)
        else:
            self.queries[-1].update(columns=columns, rows=[[_tag(v) for v in row] for row in rows], tagged=True)
        return rows


class _ReplayConnection:
    def __init__(self, server_version: int) -> None:
        self.server_version = server_version


class Replay:
    """A cursor for schemainspect that answers each query with its recorded rows, as
    named tuples, in the recorded order; any other query is refused."""

    def __init__(self, server_version: int, queries: list[dict[str, Any]]) -> None:
        self.connection = _ReplayConnection(server_version)
        self._queries = queries
        self._next = 0
        self._rows: list[Any] = []

    def execute(self, query: str, *args: Any) -> None:
        if self._next >= len(self._queries) or self._queries[self._next]["sha256"] != _digest(query):
            raise Unreadable(f"schemainspect's query {self._next + 1} is not the recorded one")
        recorded = self._queries[self._next]
        self._next += 1
        row = namedtuple("Row", recorded["columns"], rename=True)  # type: ignore[misc]  # names read from the entry
        if recorded.get("tagged", True):
            self._rows = [row(*(_untag(v) for v in values)) for values in recorded["rows"]]
        else:
            self._rows = [row(*values) for values in recorded["rows"]]

    def fetchall(self) -> list[Any]:
        return self._rows

    @property
    def finished(self) -> bool:
        return self._next == len(self._queries)


def _digest(query: Any) -> str:
    return hashlib.sha256(str(query).encode()).hexdigest()


# --- values ---------------------------------------------------------------------------------

_SCALARS = (str, int, float, bool, type(None))


def _plain(value: Any) -> bool:
    """True when `value` is JSON as it is and reads back the same: no tuple, no other
    type, no mapping with a "$" key (which a tag has)."""
    if isinstance(value, _SCALARS):
        return True
    if isinstance(value, list):
        return all(_plain(v) for v in value)
    if isinstance(value, dict):
        return "$" not in value and all(isinstance(k, str) and _plain(v) for k, v in value.items())
    return False


def pack(value: Any) -> Any:
    """`value` as JSON: as it is when plain (`_plain`), else tagged whole."""
    return value if _plain(value) else {"$": "tagged", "v": _tag(value)}


def unpack(value: Any) -> Any:
    return _untag(value) if isinstance(value, dict) and "$" in value else value


def _tag(value: Any) -> Any:
    """`value` as JSON: lists and scalars as they are; a Decimal, date, time or bytes as
    {"$": type, "v": text}; anything else refused (never guessed)."""
    if isinstance(value, _SCALARS):
        return value
    if isinstance(value, list):
        return [_tag(v) for v in value]
    if isinstance(value, tuple):
        return {"$": "tuple", "v": [_tag(v) for v in value]}
    if isinstance(value, dict):
        if not all(isinstance(k, str) for k in value):
            raise Unreadable("a row holds a mapping with keys that are not text")
        return {"$": "dict", "v": {k: _tag(v) for k, v in value.items()}}
    if isinstance(value, decimal.Decimal):
        return {"$": "decimal", "v": str(value)}
    if isinstance(value, datetime.datetime):
        return {"$": "datetime", "v": value.isoformat()}
    if isinstance(value, datetime.date):
        return {"$": "date", "v": value.isoformat()}
    if isinstance(value, (bytes, memoryview)):
        return {"$": "bytes", "v": bytes(value).hex()}
    raise Unreadable(f"a row holds a {type(value).__name__}, which is not stored")


_UNTAG: dict[str, Callable[[Any], Any]] = {
    "tagged": lambda v: _untag(v),
    "tuple": lambda v: tuple(_untag(x) for x in v),
    "dict": lambda v: {k: _untag(x) for k, x in v.items()},
    "decimal": decimal.Decimal,
    "datetime": datetime.datetime.fromisoformat,
    "date": datetime.date.fromisoformat,
    "bytes": bytes.fromhex,
}


def _untag(value: Any) -> Any:
    if isinstance(value, list):
        return [_untag(v) for v in value]
    if isinstance(value, dict):
        try:
            return _UNTAG[value["$"]](value["v"])
        except (KeyError, TypeError, ValueError, decimal.InvalidOperation) as exc:
            raise Unreadable(f"a stored value is not one pgproof writes ({exc})") from None
    return value


# --- the catalog ----------------------------------------------------------------------------

_KINDS = {kind.value: kind for kind in Kind}


def catalog_data(found: Catalog) -> dict[str, Any]:
    """pgproof's catalog as JSON: its objects' fields, in their order."""
    return {
        "server_major": found.server_major,
        "uncompared": {kind: list(names) for kind, names in found.uncompared.items()},
        "objects": [[str(o.kind), o.key, o.schema, o.name, o.parent, pack(o.definition), pack(o.info)]
                    for o in found.objects.values()],
    }


def catalog_from(data: dict[str, Any]) -> Catalog:
    try:
        objects = {}
        for kind, key, schema, name, parent, definition, info in data["objects"]:
            obj = CatalogObject(kind=_KINDS.get(kind, kind), key=key, schema=schema, name=name, parent=parent,
                                definition=unpack(definition), info=unpack(info))
            objects[obj.ref] = obj
        uncompared = {kind: tuple(names) for kind, names in data["uncompared"].items()}
        return Catalog(objects, server_major=data["server_major"], uncompared=uncompared)
    except (KeyError, TypeError, ValueError) as exc:
        raise Unreadable(f"the stored catalog is not one pgproof writes ({exc})") from None


def inspection_data(recording: Recording) -> dict[str, Any]:
    return {"server_version": recording.connection.server_version, "queries": recording.queries}


def inspection_from(data: dict[str, Any], exclusions: Exclusions, build: Any) -> Any:
    """schemainspect's inspector rebuilt by `build(cursor)` from the recorded rows."""
    try:
        replay = Replay(int(data["server_version"]), list(data["queries"]))
        inspector = build(replay)
    except Unreadable:
        raise
    except Exception as exc:  # schemainspect on rows it did not expect: not this entry's
        raise Unreadable(f"schemainspect could not read the stored rows ({type(exc).__name__})") from None
    if not replay.finished:
        raise Unreadable("schemainspect ran fewer queries than were recorded")
    return inspector
