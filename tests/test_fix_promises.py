"""Data fixes that break their own promise are caught: one still not done after it ran
(not idempotent, or not effective) is one sentence; one that deletes rows without
archiving them is refused before it runs, unless its header says `archive: none`."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import run_sql
from pgproof.ledger import archive
from pgproof.fixes import run as fixes
from pgproof.core.errors import FixError


def folder_with(tmp_path: Path, name: str, text: str) -> list[fixes.Fix]:
    folder = tmp_path / "fx"
    folder.mkdir(exist_ok=True)
    (folder / name).write_text(text)
    return fixes.discover(folder)


def test_a_fix_that_is_not_idempotent_is_named(legacy_db, tmp_path):
    found = folder_with(tmp_path, "0001_nudge.sql",
                        "-- phase: before\n-- check: SELECT count(*) FROM public.segments WHERE start_sec < 1000\n"
                        "UPDATE public.segments SET start_sec = start_sec + 0.001 WHERE start_sec < 1000;\n")
    with pytest.raises(FixError, match="changed .* rows again, so it is not idempotent"):
        fixes.run(legacy_db, found)
    statuses = run_sql(legacy_db, f"SELECT status FROM {archive.RUNS} ORDER BY id")
    assert statuses == [("done",), ("done",)]  # both passes recorded, nothing left running


def test_a_fix_that_does_not_fix_what_it_counts_is_named(legacy_db, tmp_path):
    found = folder_with(tmp_path, "0001_noop.sql",
                        "-- phase: before\n-- check: SELECT count(*) FROM public.segments WHERE speaker_label IS NULL\n"
                        "UPDATE public.segments SET speaker_label = 'X' WHERE false;\n")
    with pytest.raises(FixError, match="changed nothing, so its statement does not fix what its check counts"):
        fixes.run(legacy_db, found)


def test_a_fix_that_deletes_without_archiving_is_refused_before_it_runs(tmp_path):
    with pytest.raises(FixError, match="deletes rows of public.segments without archiving them"):
        folder_with(tmp_path, "0001_drop.sql",
                    "-- phase: before\nSELECT id FROM public.segments WHERE text = '' ORDER BY id;\n"
                    "DELETE FROM public.segments WHERE id = ANY ($1::int[]);\n")


def test_a_python_fix_that_deletes_without_archiving_is_refused(tmp_path):
    with pytest.raises(FixError, match="without archiving"):
        folder_with(tmp_path, "0001_drop.py",
                    'PHASE = "before"\nCHECK = "SELECT 0"\n\ndef run(cursor):\n'
                    '    cursor.execute("DELETE FROM public.segments WHERE false")\n    return cursor.rowcount\n')


def test_archive_none_deletes_on_purpose(legacy_db, tmp_path):
    found = folder_with(tmp_path, "0001_drop_duplicates.sql",
                        "-- Copies of other rows; nothing to keep.\n-- phase: before\n-- archive: none\n"
                        "-- check: SELECT count(*) FROM public.segments WHERE id = 3\n"
                        "DELETE FROM public.segments WHERE id = 3;\n")
    assert found[0].archives_nothing
    runs = fixes.run(legacy_db, found)
    assert [(r.rows_changed, r.rows_archived) for r in runs] == [(1, 0)]


def test_the_project_fixes_archive_what_they_delete():
    from conftest import REPO

    assert [f.archives_nothing for f in fixes.discover(REPO / "data_fixes")] == [False, False]
