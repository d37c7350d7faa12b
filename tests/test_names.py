"""Names are data: a target whose table, column, enum label, trigger, function and comment
hold newlines, `$$`, `;`, `*/`, `</details><!--`, fences and statements. `inspect`'s file
loads back equal and holds no statement but its own; a plan touching those objects holds
the payload only inside quoted names, strings and one-line comments (plan, rollback);
the markdown of `plan`, `show` and `drift` forms no block but its own. And a materialized
view created WITH NO DATA stays so through `inspect`."""

from __future__ import annotations

from pathlib import Path

from markdown_it import MarkdownIt
from pglast import ast, parser

from conftest import run_sql
from pgproof.core import plan_file
from pgproof.read import desired

PWNED = Path("/tmp/pgproof-names-pwned")
TABLE = 't\nDROP TABLE canary;\n-- </details><!--\n```'
COLUMN = "c\nCOPY (SELECT 1) TO PROGRAM 'touch /tmp/pgproof-names-pwned';\n$$ */"
ENUM = "mood\nDROP TABLE canary;\n```"
LABEL = "bad\nDROP TABLE canary;\n</details><!--"
FUNCTION = "f\nDROP TABLE canary;\n$$"
TRIGGER = "tr\nDROP TABLE canary;\n</details><!--"
NOTE = ("note\nDROP TABLE canary;\n</details><!-- ``` $$ */\n"
        "COPY (SELECT 1) TO PROGRAM 'touch /tmp/pgproof-names-pwned';\n# forged heading")
PAYLOADS = ("DROP TABLE canary", "TO PROGRAM", "</details>", "```", "$$ */", "# forged")


def q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def s(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


BEFORE = f"""
CREATE TABLE canary (id int);
CREATE TYPE public.{q(ENUM)} AS ENUM ('ok', {s(LABEL)}, 'x$$y;```');
CREATE TABLE public.{q(TABLE)} ({q(COLUMN)} int, m public.{q(ENUM)} DEFAULT {s(LABEL)});
COMMENT ON TABLE public.{q(TABLE)} IS {s(NOTE)};
COMMENT ON COLUMN public.{q(TABLE)}.m IS {s(NOTE)};
CREATE FUNCTION public.{q(FUNCTION)}() RETURNS trigger LANGUAGE plpgsql AS $b$ BEGIN RETURN NEW; END $b$;
CREATE TRIGGER {q(TRIGGER)} BEFORE INSERT ON public.{q(TABLE)}
    FOR EACH ROW EXECUTE FUNCTION public.{q(FUNCTION)}();
COMMENT ON TRIGGER {q(TRIGGER)} ON public.{q(TABLE)} IS {s(NOTE)};
"""
# The change: a column added (its name and default hostile), the hostile column dropped
# (a DATA_LOSS hazard naming it), the comments changed.
AFTER = f"""
CREATE TABLE canary (id int);
CREATE TYPE public.{q(ENUM)} AS ENUM ('ok', {s(LABEL)}, 'x$$y;```');
CREATE TABLE public.{q(TABLE)} (m public.{q(ENUM)} DEFAULT {s(LABEL)}, {q(TRIGGER)} text DEFAULT {s(NOTE)});
COMMENT ON TABLE public.{q(TABLE)} IS {s("other " + NOTE)};
COMMENT ON COLUMN public.{q(TABLE)}.m IS {s("other " + NOTE)};
CREATE FUNCTION public.{q(FUNCTION)}() RETURNS trigger LANGUAGE plpgsql AS $b$ BEGIN RETURN NEW; END $b$;
CREATE TRIGGER {q(TRIGGER)} BEFORE INSERT ON public.{q(TABLE)}
    FOR EACH ROW EXECUTE FUNCTION public.{q(FUNCTION)}();
COMMENT ON TRIGGER {q(TRIGGER)} ON public.{q(TABLE)} IS {s("other " + NOTE)};
"""


def payload_only_inside_quotes_or_comments(text: str) -> list[str]:
    """Where `text`, read by PostgreSQL's lexer, holds a payload outside a quoted
    identifier, a string or a one-line `--` comment: the lines, for the failure message."""
    try:
        tokens = parser.scan(text)
    except parser.ParseError as exc:  # a name's quote opened or closed by a line it broke
        return [f"does not scan: {exc}"]
    found = []
    for payload in PAYLOADS:
        start = text.find(payload)
        while start >= 0:
            token = next((t for t in tokens if t.start <= start <= t.end), None)
            quoted = token is not None and (
                token.name == "SCONST" or (token.name == "IDENT" and text[token.start] == '"')
                or (token.name == "SQL_COMMENT" and "\n" not in text[token.start:token.end + 1]))
            if not quoted:
                line = text.count("\n", 0, start) + 1
                found.append(f"line {line}: {text.splitlines()[line - 1]!r} ({payload!r})")
            start = text.find(payload, start + 1)
    return found


def statements(text: str) -> list[ast.Node]:
    return [raw.stmt for raw in parser.parse_sql(text)]


def check_sql_file(text: str) -> None:
    assert payload_only_inside_quotes_or_comments(text) == []
    # every line outside the statements is a comment line or blank
    nodes = statements(text)
    assert not [n for n in nodes if isinstance(n, (ast.DropStmt, ast.CopyStmt, ast.DoStmt))]


def markdown_blocks(text: str) -> dict[str, list[str]]:
    """The blocks a CommonMark renderer (with tables) sees, by token type."""
    blocks: dict[str, list[str]] = {}
    tokens = MarkdownIt("commonmark").enable("table").parse(text)
    for token in tokens:
        blocks.setdefault(token.type, []).append(token.content)
        for child in token.children or ():
            blocks.setdefault(child.type, []).append(child.content)
    return blocks


def check_markdown(text: str, body: str | None, rows: int | None = None) -> None:
    blocks = markdown_blocks(text)
    assert len(blocks.get("heading_open", [])) == 1, text
    assert blocks.get("html_inline", []) == []
    html = [b.strip() for b in blocks.get("html_block", [])]
    assert len(html) in (0, 2) and (not html or (html[0].startswith("<details><summary>") and html[1] == "</details>"))
    assert "<!--" not in "".join(html)
    fences = blocks.get("fence", [])
    if body is not None:
        assert fences == [body.rstrip() + "\n"]
    assert len(blocks.get("tr_open", [])) == (rows if rows is not None else len(blocks.get("tr_open", [])))
    # the payload shows as text, never as markup: only text, code spans and the fence hold it
    for kind, contents in blocks.items():
        if kind not in ("text", "code_inline", "fence", "inline", "html_block"):
            assert not [c for c in contents if any(p in c for p in PAYLOADS)], kind


def test_hostile_names_round_trip_through_inspect_and_run_nothing(pgproof, empty_db, tmp_path):
    PWNED.unlink(missing_ok=True)
    run_sql(empty_db, BEFORE)
    out = tmp_path / "schema.sql"
    made = pgproof("inspect", "--db", empty_db, "--out", str(out))
    assert made.code == 0, made.err
    assert pgproof("drift", "--db", empty_db, "--schema", str(out)).code == 0
    text = out.read_text()
    check_sql_file(text)
    count = int(made.err.split(": ", 1)[1].split(" statement")[0])
    assert len(statements(text)) == count  # no statement but inspect's own
    with _Database(empty_db) as copy:
        desired.load(copy, desired.read(out))
        assert run_sql(copy, "SELECT count(*) FROM canary") == [(0,)]
    assert run_sql(empty_db, "SELECT count(*) FROM canary") == [(0,)]
    assert not PWNED.exists()


class _Database:
    """A fresh empty database on the server of `url`."""

    def __init__(self, url: str) -> None:
        self.url = url

    def __enter__(self) -> str:
        from pgproof.core import db

        self.name = "pgd_names_copy"
        run_sql(self.url, f"DROP DATABASE IF EXISTS {self.name}")
        run_sql(self.url, f"CREATE DATABASE {self.name}")
        return db.with_database(self.url, self.name)

    def __exit__(self, *exc) -> None:
        run_sql(self.url, f"DROP DATABASE IF EXISTS {self.name} WITH (FORCE)")


def test_a_plan_over_hostile_names_holds_them_only_in_quotes(pgproof, empty_db, tmp_path):
    PWNED.unlink(missing_ok=True)
    run_sql(empty_db, BEFORE)
    schema = tmp_path / "schema.sql"
    schema.write_text(AFTER)
    out = tmp_path / "plan.sql"
    made = pgproof("plan", "--db", empty_db, "--schema", str(schema), "--out", str(out), "--format", "markdown")
    assert made.code == 0, made.err
    plan = plan_file.read(out)
    assert "DATA_LOSS" in plan.hazard_codes  # the hostile column's drop is named in a comment line
    forward, back = out.read_text(), plan_file.rollback_path(out).read_text()
    for text in (forward, back):
        check_sql_file(text)
        # the statements are the plan's own: SETs, BEGIN/COMMIT and its statements
        nodes = statements(text)
        assert len([n for n in nodes if not isinstance(n, (ast.VariableSetStmt, ast.TransactionStmt))]) \
            == len(plan_file.read(out if text is forward else plan_file.rollback_path(out)).statements)
    body = plan_file.render_body(plan)
    check_markdown(made.out, body)
    shown = pgproof("show", str(out), "--format", "markdown")
    assert shown.code == 0, shown.err
    check_markdown(shown.out, body)
    drift = pgproof("drift", "--db", empty_db, "--schema", str(schema), "--format", "markdown")
    assert drift.code == 2, drift.err  # drifted
    check_markdown(drift.out, None)
    applied = pgproof("apply", str(out), "--db", empty_db, "--yes", "--allow-hazards", ",".join(plan.hazard_codes))
    assert applied.code == 0, applied.err
    assert run_sql(empty_db, "SELECT count(*) FROM canary") == [(0,)]
    assert pgproof("drift", "--db", empty_db, "--schema", str(schema)).code == 0
    assert not PWNED.exists()


def test_the_check_finds_a_payload_on_a_line_of_its_own():
    """The checks above can fail: the old plan file's hazard line, a name's newline
    ending its comment."""
    old = f"-- hazards:\n--   statement 1: DATA_LOSS: drops column public.{q(TABLE)}.c\nSELECT 1;\n"
    assert payload_only_inside_quotes_or_comments(old)
    balanced = '-- statement 1: drops column "x\nDROP TABLE canary;\n-- y"\nSELECT 1;\n'
    assert payload_only_inside_quotes_or_comments(balanced) == ["line 2: 'DROP TABLE canary;' ('DROP TABLE canary')"]
    old_markdown = (f"### plan\n\n| a | b |\n| --- | --- |\n| 1 | `{TABLE}` |\n\n"
                    f"<details><summary>SQL</summary>\n\n```sql\n{TABLE}\n```\n</details>\n")
    try:
        check_markdown(old_markdown, TABLE)
    except AssertionError:
        return
    raise AssertionError("the markdown check passed a forged block")


def test_a_materialized_view_with_no_data_stays_so(pgproof, empty_db, tmp_path):
    run_sql(empty_db, "CREATE TABLE canary (id int);"
                      "CREATE MATERIALIZED VIEW gone AS SELECT id FROM canary WITH NO DATA;"
                      "CREATE MATERIALIZED VIEW kept AS SELECT id FROM canary;")
    out = tmp_path / "schema.sql"
    made = pgproof("inspect", "--db", empty_db, "--out", str(out))
    assert made.code == 0, made.err
    text = out.read_text()
    gone = next(n for n in statements(text) if isinstance(n, ast.CreateTableAsStmt) and n.into.rel.relname == "gone")
    kept = next(n for n in statements(text) if isinstance(n, ast.CreateTableAsStmt) and n.into.rel.relname == "kept")
    assert gone.into.skipData and not kept.into.skipData
    with _Database(empty_db) as copy:
        desired.load(copy, desired.read(out))
        assert run_sql(copy, "SELECT relname, relispopulated FROM pg_class WHERE relkind = 'm' ORDER BY 1") \
            == [("gone", False), ("kept", True)]


def test_a_schema_name_does_not_choose_where_split_files_go(pgproof, empty_db, tmp_path):
    name = "../../up\nDROP TABLE canary;"
    run_sql(empty_db, f"CREATE TABLE canary (id int); CREATE SCHEMA {q(name)}; CREATE TABLE {q(name)}.t (id int);")
    out = tmp_path / "deep" / "schema"
    made = pgproof("inspect", "--db", empty_db, "--out", str(out), "--split")
    assert made.code == 0, made.err
    written = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*") if p.is_file())
    assert written and all(p.parent == Path("deep/schema") for p in written), written
    for path in written:
        check_sql_file((tmp_path / path).read_text())
    assert pgproof("drift", "--db", empty_db, "--schema", str(out)).code == 0
