"""Names are data: the one place text that came from a database (a table's name, an enum
label, a comment, a server's message) is made safe for the context pgproof writes it in.

A name can hold anything: a newline, `$$`, `;`, `*/`, `</details><!--`, backticks. Written
as is, a newline ends a `--` comment line of a plan file (and what follows is SQL psql
would run), and a fence or an HTML comment ends its place in a pull-request comment. So:

* identifiers are quoted by `statement.ident` / `statement.qualified` (quote_ident's way),
  strings by `statement.literal`: inside quotes every character is data;
* `comment` makes text one line of a `--` comment (or a `/* */` one);
* `markdown`, `markdown_code` and `markdown_fence` make text inline markdown, an inline
  code span, or a fenced block no line of the text can close;
* `html` makes text the content of an HTML element (a `<summary>`).

Each keeps printable text as it is and writes what it changes visibly (`\\n`, `\\u2028`), so
a reviewer sees that a name holds a newline instead of reading a forged line.
"""

from __future__ import annotations

import html as _html
import re
import unicodedata

# Characters that end a line somewhere (PostgreSQL's lexer: \n and \r; editors, browsers
# and markdown: also these) or that a terminal interprets (every other control character).
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _visible(char: str) -> str:
    if char in _NAMED:
        return _NAMED[char]
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def _breaks(char: str) -> bool:
    """Whether `char` is a control, separator or format character other than a space:
    a line or paragraph break, a C0/C1 control, a bidirectional override."""
    return char != " " and unicodedata.category(char) in ("Cc", "Zl", "Zp", "Cf")


def one_line(text: str) -> str:
    """`text` with every line break and control character written visibly."""
    if text.isprintable():
        return text
    return "".join(_visible(c) if _breaks(c) else c for c in text)


def comment(text: str) -> str:
    """`text` as the rest of one `--` comment line (or inside `/* */`): one line, and no
    `*/` or `/*` (a block comment's end, or the start of a nested one)."""
    return one_line(text).replace("*/", "* /").replace("/*", "/ *")


# CommonMark lets a backslash escape any ASCII punctuation; these are the ones that start
# markup (emphasis, links, HTML and its comments, code, tables, headings, math, entities).
# An underscore inside a word (snake_case) starts no emphasis, so it stays as it is.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*\[\]<>#|~&$]|(?<![A-Za-z0-9])_|_(?![A-Za-z0-9]))")
# Where the text starts a list item or a block quote's line: a list marker of its own.
_LEADING_MARKER = re.compile(r"^(\d{0,9})([-+.)])(?=\s|$)")


def markdown(text: str) -> str:
    """`text` as inline markdown that shows every character and forms no markup: no
    heading, list, link, HTML, code span, math, table cell end or line break."""
    return _LEADING_MARKER.sub(r"\1\\\2", _MARKDOWN_SPECIAL.sub(r"\\\1", one_line(text)))


def markdown_code(text: str, in_table: bool = False) -> str:
    """`text` as one inline code span: delimited by more backticks than any run inside it
    (so none closes it early); `in_table` also escapes `|`, which ends a table cell even
    inside a code span (GitHub shows `\\|` there as `|`)."""
    text = one_line(text)
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    ticks = "`" * (longest + 1)
    padded = f" {text} " if text.startswith("`") or text.endswith("`") or not text.strip() else text
    if in_table:
        padded = padded.replace("|", "\\|")
    return f"{ticks}{padded}{ticks}"


def markdown_fence(body: str, info: str = "") -> str:
    """`body` as a fenced code block: the fence is longer than any run of backticks in the
    body, so no line of it closes the block (CommonMark: a closing fence is at least as
    long as the opening one)."""
    longest = max((len(run) for run in re.findall(r"`+", body)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}{info}\n{body}\n{fence}"


def html(text: str) -> str:
    """`text` as the content of an HTML element: one line, `<`, `>`, `&` and quotes as
    entities (no tag, comment or `</details>` can form)."""
    return _html.escape(one_line(text), quote=True)


ENVIRONMENT_PREFIX = "environment "  # Settings.target_label of a named environment


def markdown_target(label: str | None) -> str:
    """How markdown (a PR comment, a job summary: read widely) names the target: the
    environment's name when there is one, else "the target"; never its URL or host, not
    even masked. "an empty database" (no target at all) stays what it is."""
    if label and label.startswith(ENVIRONMENT_PREFIX):
        return f"environment {markdown_code(label.removeprefix(ENVIRONMENT_PREFIX))}"
    if label == "an empty database":
        return label
    return "the target"
