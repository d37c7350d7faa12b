"""A data fix skeleton for rows that make a statement of a plan fail (`row_counts`): a
file in the format of data_fixes/*.sql (fixes/files.py) whose header, check and todo are
complete and whose batch holds a TODO where only its author can choose (the value the
rows get). The TODO is a column name no table has, so a skeleton nobody filled in fails
where it runs, never silently. Written beside the plan, never into the fixes folder."""

from __future__ import annotations

import re
from pathlib import Path

from pgproof.core.escape import comment, one_line
from pgproof.core.statement import literal
from pgproof.plan.row_checks import ROW
from pgproof.plan.row_counts import Counted

TODO = "TODO_choose_the_new_value"
ARCHIVE = "INSERT INTO pgproof.archived_rows (table_name, row)"


def write(found: list[Counted], plan: Path) -> list[str]:
    """One skeleton per failing check, beside `plan`: PLAN.fix-skeleton-TABLE.sql (then
    -2, -3 for more of one table). Returns the paths written."""
    written: list[str] = []
    for counted in found:
        name = re.sub(r"[^A-Za-z0-9_.]+", "_", counted.check.table)
        path = plan.with_name(f"{plan.stem}.fix-skeleton-{name}.sql")
        number = 2
        while str(path) in written:
            path = plan.with_name(f"{plan.stem}.fix-skeleton-{name}-{number}.sql")
            number += 1
        path.write_text(text(counted, plan.name), encoding="utf-8")
        written.append(str(path))
    return written


def text(counted: Counted, plan_name: str) -> str:
    check, key = counted.check, counted.key or ("ctid",)
    table, rows = check.table, check.rows_predicate()
    keys = ", ".join(f"{ROW}.{k}" for k in key)
    resolves = check.keys[0] if check.keys else table
    head = [
        f"-- A data fix for statement {check.statement} of {comment(plan_name)}: {comment(counted.detail)}.",
        "-- Fill in each TODO, save this file in the fixes folder as NNNN_short_name.sql, and",
        "-- plan again: the plan runs it before its statements and names it as the resolver;",
        "-- apply counts the rows again after it ran. Rows it deletes must be archived (as below).",
    ]
    if check.kind == "unique":
        return _dedupe(head, counted, keys, resolves)
    if not check.exact:  # the rows cannot be listed: their author writes the predicate
        said = comment(counted.error or "")
        head += [f"-- The target cannot list the rows without converting them one by one; it said: {said}.",
                 "-- TODO: write the condition that selects the values that do not convert, three times below."]
        rows = f"{ROW}.{check.columns[0]} IS NOT NULL AND TODO_the_values_that_do_not_convert"
    check_sql = f"SELECT count(*) FROM {table} AS {ROW} WHERE {rows}"
    if check.kind == "not_null_added":
        head += ["-- The column does not exist before the plan, so a fix can only delete (and archive) the",
                 "-- rows. Usually the schema should change instead: give the column a DEFAULT, or add it",
                 "-- NULL-able, fill it with a fix in phase after, and make it NOT NULL in a later plan."]
        batch = _delete(table, counted)
    else:
        value = check.fill or TODO
        sets = ", ".join(f"{c} = {value}" for c in check.columns)
        if check.kind == "foreign_key":
            head.append("-- Either point the rows at an existing row (or NULL), or delete them: see the end.")
        batch = f"UPDATE {table} AS {ROW}\nSET {sets}\nWHERE {_matches(counted)}\n  AND {rows};"
        if check.fill is None:
            batch += "\n\n-- Or delete the rows, archived:\n" + "\n".join(
                f"-- {line}" for line in _delete(table, counted).splitlines())
    return "\n".join(head + [
        "--",
        "-- phase: before",
        f"-- resolves: {one_line(resolves)}",
        "-- batch size: 500",
        f"-- check: {one_line(check_sql)}",
        "",
        "-- todo: the keys of the rows to fix.",
        f"SELECT {keys} FROM {table} AS {ROW} WHERE {rows} ORDER BY {keys};",
        "",
        "-- batch: $1 the keys (one array per key column); a row fixed meanwhile is left alone.",
        batch,
        "",
    ])


def _dedupe(head: list[str], counted: Counted, keys: str, resolves: str) -> str:
    check = counted.check
    where = f" WHERE {check.groups_where}" if check.groups_where else ""
    ranked = (f"SELECT {keys}, row_number() OVER (PARTITION BY {', '.join(check.groups)} ORDER BY {keys}) AS n "
              f"FROM {check.table} AS {ROW}{where}")
    shown = ", ".join(k.split(".", 1)[1] for k in keys.split(", "))
    return "\n".join(head + [
        "-- Of each group of equal keys the row with the lowest key stays; the others are deleted",
        "-- and archived. TODO: keep the row carrying the most information instead (ORDER BY).",
        "--",
        "-- phase: before",
        f"-- resolves: {one_line(resolves)}",
        "-- batch size: 500",
        f"-- check: {one_line(f'SELECT count(*) FROM ({ranked}) AS ranked WHERE n > 1')}",
        "",
        "-- todo: the keys of the rows that do not stay.",
        f"SELECT {shown} FROM ({ranked}) AS ranked WHERE n > 1 ORDER BY {shown};",
        "",
        "-- batch: $1 the keys (one array per key column).",
        _delete(check.table, counted),
        "",
    ])


def _matches(counted: Counted) -> str:
    """The rows whose keys the batch gets, one array per key column, typed (PREPARE
    cannot infer the type of an array that unnest takes)."""
    key, types = counted.key or ("ctid",), counted.key_types or ("tid",)
    if key == ("ctid",):
        return f"{ROW}.ctid = ANY ($1::text[]::tid[])"  # ctids arrive as text
    if len(key) == 1:
        return f"{ROW}.{key[0]} = ANY ($1::{types[0]}[])"
    arrays = ", ".join(f"${n}::{t}[]" for n, t in enumerate(types, start=1))
    return f"({', '.join(f'{ROW}.{k}' for k in key)}) IN (SELECT * FROM unnest({arrays}))"


def _delete(table: str, counted: Counted) -> str:
    return (f"WITH removed AS (\n    DELETE FROM {table} AS {ROW} WHERE {_matches(counted)} RETURNING {ROW}.*\n)\n"
            f"{ARCHIVE}\nSELECT {literal(table)}, row_to_json(removed) FROM removed;")
