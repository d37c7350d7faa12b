"""The keep rewrite's logic without a database: the opt-out directive and the names of
what a plan keeps. The database tests (tests/test_kept.py) prove the SQL."""

from __future__ import annotations

from pathlib import Path

import pytest

from pgproof.core.errors import SchemaError
from pgproof.ledger import kept
from pgproof.plan import keep
from pgproof.read.desired import SchemaFile

DIRECTIVES = [
    ("-- pgproof: drop-without-archive public.events", {"public.events"}),
    ("-- pgproof: drop-without-archive events", {"public.events"}),
    ("--pgproof: drop-without-archive app.people.legacy_blob", {"app.people.legacy_blob"}),
    ('-- pgproof: drop-without-archive public."My Table"."Blob"', {'public."My Table"."Blob"'}),
    ("-- pgproof: rename table public.b from a", set()),
    ("-- a comment", set()),
]


@pytest.mark.parametrize(("line", "keys"), DIRECTIVES)
def test_opt_outs_name_a_table_or_a_column(line, keys):
    found = keep.opt_outs([SchemaFile(Path("schema.sql"), f"CREATE TABLE x ();\n{line}\n")])
    assert set(found) == keys
    assert all(where.endswith("schema.sql:2") for where in found.values())


@pytest.mark.parametrize("line", ["-- pgproof: drop-without-archive", "-- pgproof: drop-without-archive a.b.c.d"])
def test_a_malformed_opt_out_is_an_error_at_its_line(line):
    with pytest.raises(SchemaError, match=r"schema.sql:1: drop-without-archive needs schema.table"):
        keep.opt_outs([SchemaFile(Path("schema.sql"), line + "\n")])


NAMES = [
    ("orders", "1a2b3c4d", "orders__1a2b3c4d"),
    ("x" * 63, "1a2b3c4d", "x" * 53 + "__1a2b3c4d"),
    ("é" * 40, "1a2b3c4d", "é" * 26 + "__1a2b3c4d"),  # 63 bytes, not characters
]


@pytest.mark.parametrize(("table", "plan_id", "name"), NAMES)
def test_a_trash_name_carries_the_plan_id_within_63_bytes(table, plan_id, name):
    assert kept.trash_name(table, plan_id) == name
    assert len(name.encode()) <= 63


def test_the_same_plan_keeps_under_the_same_names():
    assert keep.plan_id("a", "b") == keep.plan_id("a", "b") != keep.plan_id("b", "a")
