"""What people see: `pgproof demo` on a pseudo-terminal of 80 and of 200 columns, read
back through a terminal emulator (pyte), says exactly what it says in a pipe, line for
line: no line glued to a progress bar, no statement cut, no bar left behind. On a pipe,
a long step prints a plain line at a steady rhythm, and an index build says its phase and
blocks or tuples as it runs."""

from __future__ import annotations

import fcntl
import io
import os
import pty
import re
import struct
import subprocess
import sys
import termios
import time

import pyte
import pytest
from rich.console import Console

from conftest import passable, REPO, run_sql
from pgproof.ledger import archive
from pgproof.cli.output import Output

RESTORE = archive.restore_statement("0001_remove_duplicate_segments", "public.segments")
SCREEN_ROWS = 3000


def demo_env(tmp_path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES", "DATABASE_URL", "NO_COLOR")}
    return {**env, "TMPDIR": str(tmp_path), "TERM": "xterm-256color"}


def on_terminal(columns: int, env: dict[str, str]) -> tuple[int, list[str]]:
    """Run the demo on a pseudo-terminal `columns` wide; the screen's rows."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 60, columns, 0, 0))
    process = subprocess.Popen([sys.executable, "-m", "pgproof", "demo"], cwd=REPO, env=env,
                               stdin=slave, stdout=slave, stderr=slave, close_fds=True)
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 65536)
        except OSError:  # EIO: the other side is closed
            break
        if not data:
            break
        chunks.append(data)
    os.close(master)
    code = process.wait(timeout=300)
    screen = pyte.Screen(columns, SCREEN_ROWS)
    pyte.ByteStream(screen).feed(b"".join(chunks).replace(b"\n", b"\r\n"))
    return code, list(screen.display)


def read_back(rows: list[str], lines: list[str], columns: int) -> tuple[list[str], list[str]]:
    """The screen's rows read as the pipe's `lines`: each line takes as many rows as the
    terminal needs to wrap it. Returns those lines and the rows left over."""
    got, at = [], 0
    for line in lines:
        needed = max(1, -(-len(line) // columns))
        got.append("".join(rows[at:at + needed]).rstrip())
        at += needed
    return got, [row for row in rows[at:] if row.strip()]


def in_a_pipe(env: dict[str, str]) -> tuple[int, list[str]]:
    done = subprocess.run([sys.executable, "-m", "pgproof", "demo"], cwd=REPO, env=env,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=300)
    return done.returncode, done.stdout.decode().splitlines()


def normal(lines: list[str]) -> list[str]:
    """What differs between two runs: times, scratch folders, the plan's creation time."""
    out = []
    for line in lines:
        line = re.sub(r"\d+\.\d+ s\b", "T s", line)
        line = re.sub(r"host=(?:%2F|/)\S*?(?=[ )&]|$)", "host=H", line)
        line = re.sub(r"created: \S+", "created: C", line)
        out.append(line)
    return out


@pytest.fixture(scope="module")
def demo_tmp(tmp_path_factory):
    """One folder for every demo run: the scratch paths it prints have the same length."""
    return passable(tmp_path_factory.mktemp("demo"))


@pytest.fixture(scope="module")
def piped(demo_tmp):
    code, lines = in_a_pipe(demo_env(demo_tmp))
    assert code == 0, "\n".join(lines)
    assert list(demo_tmp.iterdir()) == []  # the embedded server and its files are gone
    return lines


def test_demo_in_a_pipe_is_plain_whole_lines(piped):
    assert not any("\x1b" in line or "━" in line for line in piped)
    headings = [line for line in piped if line.startswith("── ")]
    assert [h.split(".")[0] for h in headings] == [f"── {n}" for n in range(1, 7)]
    assert RESTORE in piped  # whole, on its own line: copyable
    # Progress of apply comes under heading 4, in rows, and before its result.
    step4 = piped.index(headings[3])
    assert piped[step4 + 1].startswith("data fix 0001_remove_duplicate_segments: 1,000/1,000 rows in ")
    assert any(line.startswith("statement 1 of 2: builds unique index uq_segments_video_text") for line in piped)
    assert piped[-1] == "Done: production now matches schema/schema.sql, and nothing was lost."


@pytest.mark.parametrize("columns", [80, 200])
def test_demo_on_a_terminal_shows_the_pipe_transcript_line_for_line(piped, demo_tmp, columns):
    code, rows = on_terminal(columns, demo_env(demo_tmp))
    assert code == 0, "\n".join(rows)
    assert not any("━" in row for row in rows), "a progress bar was left on the screen"
    lines, rest = read_back(rows, piped, columns)
    assert normal(lines) == normal(piped)
    assert rest == []
    assert RESTORE in lines


def test_a_step_on_a_pipe_prints_a_line_at_a_steady_rhythm():
    stream = io.StringIO()
    output = Output(Console(file=stream, width=80), pipe_every_s=0.2)
    with output.step("data fix 0009_slow", unit="rows", total=3000) as tick:
        for done in range(0, 3001, 300):
            tick(done, detail="batches")
            time.sleep(0.1)
    lines = stream.getvalue().splitlines()
    assert 3 <= len(lines) <= 8, lines
    assert all(line.startswith("data fix 0009_slow: ") for line in lines)
    assert re.fullmatch(r"data fix 0009_slow: [\d,]+/3,000 rows, batches, \d\.\d\d s", lines[0])
    assert re.fullmatch(r"data fix 0009_slow: 3,000/3,000 rows in \d\.\d\d s", lines[-1])


def test_an_index_build_reports_its_phase_and_progress_while_it_runs(pgproof, legacy_db, tmp_path, monkeypatch):
    monkeypatch.setattr("pgproof.cli.output.PIPE_EVERY_S", 0.2)
    run_sql(legacy_db, """
        DELETE FROM segments WHERE id IN (1, 3, 4, 7, 9, 11);
        INSERT INTO segments (video_id, start_sec, end_sec, text)
        SELECT 'bulk_' || (g % 500), g, g + 1, md5(g::text) || repeat(' transcript words', 9)
        FROM generate_series(1, 300000) g""")
    made = pgproof("plan", "--db", legacy_db, "--out", str(tmp_path / "plan.sql"))
    assert made.code == 0, made.err
    done = pgproof("apply", str(tmp_path / "plan.sql"), "--db", legacy_db, "--yes", "--allow-hazards", "DATA_FIX,INDEX_BUILD")
    assert done.code == 0, done.err
    live = [line for line in done.err.splitlines()
            if line.startswith("statement 1 of 2: builds unique index uq_segments_video_text on public.segments: ")]
    assert any(re.search(r"[\d,]+/[\d,]+ (blocks|tuples), (building index|waiting)", line) for line in live), live
    assert live[-1].endswith(" s") and " in " in live[-1]
