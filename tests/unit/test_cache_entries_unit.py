"""Cache entries without a server: an entry file reads back only as its own key's and
whole; the size cap evicts least recently used first and never what a run holds; a
stored side's values come back with their types."""

from __future__ import annotations

import datetime
import decimal
import json

import pytest

from pgproof.diff import stored
from pgproof.scratch import entries
from pgproof.scratch.entries import Damaged, Entry

ENTRY = Entry(key="k1", database="pgproof_cache_k1", side={"catalog": {"objects": []}}, kind="desired",
              holds="schema/schema.sql", template={"server": "pg18-0", "oid": 1, "xmin": "7", "fingerprint": "f"},
              bytes=100)


def _flip(data: bytes, at: int) -> bytes:
    return data[:at] + bytes([data[at] ^ 1]) + data[at + 1:]


def test_an_entry_reads_back_as_written():
    assert entries.decode(entries.encode(ENTRY), "k1") == ENTRY


@pytest.mark.parametrize("damage, expected", [
    (lambda data: data, "another key"),  # read under another key: two swapped files
    (lambda data: _flip(data, len(data) - 3), "checksum"),  # one byte of the body changed
    (lambda data: data[:-1], "checksum"),  # cut short
    (lambda data: data.split(b"\n", 1)[1], "header"),  # no header
    (lambda data: b"\x80\x04\x95pickle\n" + data, "header"),  # a pickle is never read
    (lambda data: b"", "header"),
])
def test_a_damaged_or_swapped_entry_is_refused(damage, expected):
    data = entries.encode(ENTRY)
    key = "k2" if expected == "another key" else "k1"
    with pytest.raises(Damaged, match=expected):
        entries.decode(damage(data), key)


def test_a_body_naming_another_key_with_a_matching_checksum_is_refused():
    body = entries.encode(Entry(**{**ENTRY.__dict__, "key": "k2"})).split(b"\n", 1)[1]
    header = json.loads(entries.encode(ENTRY).split(b"\n", 1)[0])
    import hashlib

    header.update(sha256=hashlib.sha256(body).hexdigest(), bytes=len(body))
    with pytest.raises(Damaged, match="another key"):
        entries.decode(json.dumps(header).encode() + b"\n" + body, "k1")


def _entry(key: str, used: float, size: int) -> Entry:
    return Entry(key=key, database=f"pgproof_cache_{key}", bytes=size, last_used=used)


@pytest.mark.parametrize("listed, total, cap, held, evicted", [
    ([("a", 1, 10), ("b", 2, 10), ("c", 3, 10)], 30, 30, set(), []),  # at the cap: nothing
    ([("a", 1, 10), ("b", 2, 10), ("c", 3, 10)], 30, 25, set(), ["a"]),  # least recently used first
    ([("c", 3, 10), ("a", 1, 10), ("b", 2, 10)], 30, 15, set(), ["a", "b"]),  # by use, not by order given
    ([("a", 1, 10), ("b", 2, 10), ("c", 3, 10)], 30, 15, {"a"}, ["b", "c"]),  # a held one survives
    ([("a", 1, 10), ("b", 2, 10)], 30, 0, {"a", "b"}, []),  # all held: over the cap, nothing evicted
    ([("a", 1, 5), ("b", 2, 50)], 60, 20, set(), ["a", "b"]),
    ([], 100, 10, set(), []),
])
def test_the_cap_evicts_least_recently_used_never_held(listed, total, cap, held, evicted):
    chosen = entries.to_evict([_entry(*row) for row in listed], total, cap, held)
    assert [e.key for e in chosen] == evicted


@pytest.mark.parametrize("value", [
    "text", 1, 1.5, True, None, [1, "a", None], ["{a,b}"], (1, 2), {"a": [1, {"b": 2}]},
    decimal.Decimal("1.10"), datetime.date(2024, 1, 2), datetime.datetime(2024, 1, 2, 3, 4, 5), b"\x00\xff",
    {"$": "not a tag", "v": 1},
])
def test_stored_values_come_back_with_their_types(value):
    back = stored._untag(json.loads(json.dumps(stored._tag(value))))
    assert back == value and type(back) is type(value)


@pytest.mark.parametrize("value", [
    {"a": [1, "x"], "b": None}, {"$": "looks like a tag", "v": 1}, [1, (2, 3)], {"d": decimal.Decimal("1")}, "x",
])
def test_packed_definitions_come_back_equal(value):
    assert stored.unpack(json.loads(json.dumps(stored.pack(value)))) == value


def test_a_value_of_another_type_is_refused_when_stored():
    with pytest.raises(stored.Unreadable):
        stored._tag(object())


def test_a_replay_answers_only_the_recorded_queries_in_order():
    rows = {"sha256": stored._digest("SELECT 1"), "columns": ["a", "b"], "rows": [[1, "x"]]}
    replay = stored.Replay(180000, [rows])
    with pytest.raises(stored.Unreadable):
        replay.execute("SELECT 2")
    replay = stored.Replay(180000, [rows])
    replay.execute("SELECT 1")
    assert [tuple(r) for r in replay.fetchall()] == [(1, "x")] and replay.fetchall()[0].b == "x"
    assert replay.finished and replay.connection.server_version == 180000
    with pytest.raises(stored.Unreadable):
        replay.execute("SELECT 1")  # more queries than were recorded
