"""core/escape.py, table-driven: whatever a name holds, the text pgproof writes keeps it
inside its context (one `--` comment line, inline markdown, a code span, a fenced block,
an HTML element). No server."""

from __future__ import annotations

import re

import pytest
from pglast import parser

from pgproof.core import escape

HOSTILE = [
    "plain_name",
    "two\nlines",
    "cr\rreturn",
    "x\nDROP TABLE canary;",
    "x\r\nCOPY (SELECT 1) TO PROGRAM 'touch /tmp/pwned';",
    "dollar $$ quoted $$;",
    "ends */ a block /* starts one",
    "</details><!--",
    "```\nfenced\n```",
    "a|b|c",
    "`tick` and ``two``",
    "# heading",
    "- item",
    "1. item",
    "[link](http://x)",
    "<script>alert(1)</script>",
    "line\u2028separator\u2029paragraph\x85next",
    "bell\x07escape\x1b[31mred",
    "bidi\u202eoverride",
    "tab\there",
    "",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_comment_is_one_line_that_psql_and_postgres_read_as_a_comment(text):
    line = f"-- {escape.comment(text)}"
    assert len(line.splitlines()) == 1
    assert "*/" not in line and "/*" not in line
    # PostgreSQL's lexer: the whole line is a comment, so nothing is a statement.
    assert parser.parse_sql(line + "\nSELECT 1;") == parser.parse_sql("SELECT 1;")
    # block comment too
    assert parser.parse_sql(f"/* {escape.comment(text)} */ SELECT 1;") == parser.parse_sql("SELECT 1;")


@pytest.mark.parametrize(("text", "written"), [
    ("plain", "plain"),
    ("a\nb", "a\\nb"),
    ("a\r\nb", "a\\r\\nb"),
    ("a\u2028b", "a\\u2028b"),
    ("a\x1bb", "a\\x1bb"),
    ("a\tb", "a\\tb"),
    ("x */ y", "x * / y"),
    ("é ü 中文", "é ü 中文"),  # printable text is kept as it is
])
def test_comment_writes_what_it_changes_visibly(text, written):
    assert escape.comment(text) == written


_UNESCAPED_MARKUP = re.compile(r"(?<!\\)([`*\[\]<>#|~&$]|(?<![A-Za-z0-9])_|_(?![A-Za-z0-9]))")


@pytest.mark.parametrize("text", HOSTILE)
def test_markdown_forms_no_markup(text):
    written = escape.markdown(text)
    assert "\n" not in written and "\r" not in written
    # every markup character is backslash-escaped
    assert not _UNESCAPED_MARKUP.search(written.replace("\\\\", ""))
    assert not re.match(r"^(\d{0,9}[.)]|[-+])(\s|$)", written)


@pytest.mark.parametrize(("text", "written"), [
    ("public.users", "public.users"),
    ("uq_segments_video_text", "uq_segments_video_text"),
    ("_private_ *bold*", "\\_private\\_ \\*bold\\*"),
    ("18.6", "18.6"),
    ("a|b", "a\\|b"),
    ("</details><!--", "\\</details\\>\\<!--"),
    ("- item", "\\- item"),
    ("1. item", "1\\. item"),
    ("x\ny", "x\\\\ny"),
])
def test_markdown_examples(text, written):
    assert escape.markdown(text) == written


@pytest.mark.parametrize("text", HOSTILE)
def test_markdown_code_span_cannot_be_closed_from_inside(text):
    span = escape.markdown_code(text)
    ticks = re.match(r"`+", span).group(0)
    assert span.endswith(ticks)
    inner = span[len(ticks):-len(ticks)]
    assert all(len(run) != len(ticks) for run in re.findall(r"`+", inner))
    assert "\n" not in span


@pytest.mark.parametrize("text", HOSTILE)
def test_markdown_code_in_a_table_escapes_every_bar(text):
    assert not re.search(r"(?<!\\)\|", escape.markdown_code(text, in_table=True))


@pytest.mark.parametrize("text", HOSTILE)
def test_markdown_fence_is_longer_than_any_backtick_run_in_the_body(text):
    body = f"SELECT 1;\n{text}\n```\n````"
    block = escape.markdown_fence(body, "sql")
    first, *middle, last = block.split("\n")
    assert first.startswith(last) and first == last + "sql"
    assert all(not line.strip().startswith(last) for line in middle)


@pytest.mark.parametrize("text", HOSTILE)
def test_html_forms_no_tag(text):
    written = escape.html(text)
    assert "<" not in written and ">" not in written and "\n" not in written
