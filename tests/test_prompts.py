"""Data fixes with the ceremony of statements, and questions asked last: `fixes run`
shows what it will change and asks unless --yes, counts with --dry-run, runs one fix
with --only; `apply` refuses an unacknowledged hazard before asking anything, and asks
after a summary."""

from __future__ import annotations

import io
import sys

from conftest import run_sql

SEGMENT_COUNTS = "SELECT count(*), count(*) FILTER (WHERE speaker_label IS NULL) FROM public.segments"


class Terminal(io.StringIO):
    """stdin as a person at a terminal: the answers they will type."""

    def isatty(self) -> bool:
        return True


def answer(monkeypatch, text: str) -> Terminal:
    stdin = Terminal(text)
    monkeypatch.setattr(sys, "stdin", stdin)
    return stdin


def test_fixes_run_dry_run_counts_and_changes_nothing(pgproof, legacy_db):
    before = run_sql(legacy_db, SEGMENT_COUNTS)
    dry = pgproof("fixes", "run", "--db", legacy_db, "--dry-run")
    assert dry.code == 0, dry.err
    rows = [line.split() for line in dry.out.splitlines()[1:]]
    assert [(name, phase) for name, phase, _ in rows] == [("0001_remove_duplicate_segments", "before"),
                                                         ("0002_null_speaker_label_to_chaffee", "before")]
    assert all(int(count.replace(",", "")) > 0 for _, _, count in rows)
    assert "Dry run: 2 data fix(es) would change" in dry.err and "nothing was changed" in dry.err
    assert run_sql(legacy_db, SEGMENT_COUNTS) == before
    assert run_sql(legacy_db, "SELECT to_regclass('pgproof.fix_runs')") == [(None,)]


def test_fixes_run_without_yes_off_a_terminal_changes_nothing(pgproof, legacy_db):
    before = run_sql(legacy_db, SEGMENT_COUNTS)
    refused = pgproof("fixes", "run", "--db", legacy_db)
    assert refused.code == 1
    assert "fixes run changes rows in the database: pass --yes when not running on a terminal" in refused.err
    assert run_sql(legacy_db, SEGMENT_COUNTS) == before


def test_fixes_run_asks_after_showing_what_it_will_change(pgproof, legacy_db, monkeypatch, capsys):
    before = run_sql(legacy_db, SEGMENT_COUNTS)
    answer(monkeypatch, "n\n")
    declined = pgproof("fixes", "run", "--db", legacy_db)
    assert declined.code == 1 and "not confirmed; nothing was changed." in declined.err
    assert declined.out.startswith("fix ") and "0001_remove_duplicate_segments" in declined.out
    assert "Run 2 data fix(es), changing" in capsys.readouterr().err
    assert run_sql(legacy_db, SEGMENT_COUNTS) == before

    answer(monkeypatch, "y\n")
    ran = pgproof("fixes", "run", "--db", legacy_db)
    assert ran.code == 0, ran.err
    assert run_sql(legacy_db, SEGMENT_COUNTS)[0][1] == 0


def test_fixes_run_only_runs_the_one_fix_named(pgproof, legacy_db):
    nulls = run_sql(legacy_db, SEGMENT_COUNTS)[0]
    ran = pgproof("fixes", "run", "--db", legacy_db, "--only", "0002", "--yes")
    assert ran.code == 0, ran.err
    assert [line.split()[0] for line in ran.out.splitlines()[1:]] == ["0002_null_speaker_label_to_chaffee"]
    after = run_sql(legacy_db, SEGMENT_COUNTS)[0]
    assert after == (nulls[0], 0)  # labels set, no duplicate removed
    status = pgproof("fixes", "status", "--db", legacy_db).out
    assert status.splitlines()[1].split()[:2] == ["0001_remove_duplicate_segments", "before"]
    assert status.splitlines()[1].split()[2] != "0"

    unknown = pgproof("fixes", "run", "--db", legacy_db, "--only", "0009_nothing", "--yes")
    assert unknown.code == 1
    assert "--only 0009_nothing: no data fix of that name" in unknown.err
    assert "0001_remove_duplicate_segments, 0002_null_speaker_label_to_chaffee" in unknown.err


def test_apply_refuses_an_unacknowledged_hazard_before_asking(pgproof, legacy_db, tmp_path, monkeypatch, capsys):
    plan = tmp_path / "plan.sql"
    assert pgproof("plan", "--db", legacy_db, "--out", str(plan)).code == 0
    stdin = answer(monkeypatch, "y\n")
    refused = pgproof("apply", str(plan), "--db", legacy_db)
    assert refused.code == 3 and "hazards nobody allowed" in refused.err
    assert stdin.read() == "y\n"  # never asked
    assert "Apply " not in capsys.readouterr().err


def test_apply_asks_last_after_a_summary(pgproof, legacy_db, tmp_path, monkeypatch, capsys):
    plan = tmp_path / "plan.sql"
    assert pgproof("plan", "--db", legacy_db, "--out", str(plan)).code == 0
    answer(monkeypatch, "n\n")
    declined = pgproof("apply", str(plan), "--db", legacy_db, "--allow-hazards", "DATA_FIX,INDEX_BUILD")
    assert declined.code == 1 and "not confirmed; nothing was changed." in declined.err
    summary = declined.err.index(f"{plan} (plan, made ")
    assert "statement(s), 2 data fix(es) touching" in declined.err[summary:]
    assert "hazards: DATA_FIX, INDEX_BUILD (allowed); estimated time under 1 s (a rough estimate: the plan's row " \
        "counts times a per-row cost measured once, lock waits not included)." in " ".join(declined.err[summary:].split())
    assert declined.err.index("not confirmed") > summary
    assert f"Apply {plan} to " in capsys.readouterr().err
    assert run_sql(legacy_db, "SELECT to_regclass('pgproof.apply_history')") == [(None,)]
