r"""psql's meta-commands in a schema file: the lines `pg_dump --schema-only` writes for psql
(`\restrict KEY` and `\unrestrict KEY` since PostgreSQL 17.6, `\connect` with --create) are
not SQL, so the parser stops at them. A team's first schema file is often such a dump, so
pgproof reads it as it is: those lines are blanked (spaces, so every later `file:line:col`
stays true) and the SQL around them loads as written, its SETs included.

Only meta-commands that change nothing a schema declares are skipped; any other one (`\!`
runs a shell, `\i` reads another file, `\copy` moves rows) is refused with its location.
A backslash line inside a statement (a function body, a string) is the statement's own
text and is left alone.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from pglast import split
from pglast.parser import ParseError

# The meta-commands a dump may hold that a schema can do without; each only steers psql.
SKIPPED = frozenset({"restrict", "unrestrict", "connect", "c", "set", "unset", "encoding", "echo", "qecho"})
_NAMES = ", ".join("\\" + name for name in sorted(SKIPPED))
_META_LINE = re.compile(r"^[ \t]*\\([A-Za-z!?]*)[^\n]*", re.M)


def without_meta_commands(text: str, where: Callable[[int], str]) -> str:
    """`text` with its psql meta-command lines blanked; `where(index)` names a position
    (`file:line:col`) for the one sentence that refuses a meta-command pgproof will not skip.
    Raises ValueError with that sentence."""
    found = list(_META_LINE.finditer(text))
    if not found:
        return text
    blanked = _blank(text, found)
    inside = _inside_statements(blanked)
    kept = [m for m in found if not any(start < m.start() < end for start, end in inside)]
    for match in kept:
        name = match.group(1)
        if name not in SKIPPED:
            raise ValueError(
                f"{where(match.start())}: the psql meta-command \\{name} is not part of a schema and pgproof "
                f"does not run it; remove that line (pgproof skips only {_NAMES})."
            )
    return _blank(text, kept) if len(kept) != len(found) else blanked


def _blank(text: str, matches: list[re.Match[str]]) -> str:
    parts, last = [], 0
    for match in matches:
        parts += [text[last:match.start()], " " * (match.end() - match.start())]
        last = match.end()
    return "".join(parts) + text[last:]


def _inside_statements(text: str) -> list[tuple[int, int]]:
    """The spans of the statements of `text`; none when it does not parse (the caller's
    own split then reports the syntax error where it is)."""
    try:
        return [(s.start, s.stop) for s in split(text, only_slices=True)]
    except ParseError:
        return []
