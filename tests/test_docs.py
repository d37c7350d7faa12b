"""The manual (docs/, built with mkdocs) and the README stay true to the code: the site
builds strictly, every command and option of the CLI is in docs/commands.md, the closer
table lists the closers of `gaps.close()` in order, every hazard code and every dependency
has its row, the README stays short and runs the tests as .ci/run does, and every relative
link resolves. No database."""

from __future__ import annotations

import ast
import importlib.util
import re
import subprocess
import sys
import tomllib
import unicodedata
from pathlib import Path

import click
import pytest

from conftest import REPO
from pgproof.cli import main as cli
from pgproof.core.hazard import HazardKind

DOCS = REPO / "docs"
README = REPO / "README.md"
README_MAX_LINES = 250
GAPS = REPO / "tools" / "pgproof" / "diff" / "gaps" / "__init__.py"
LINK = re.compile(r"(?<!!)\[[^\]]*\]\(([^)\s]+)\)")
FENCE = re.compile(r"^```.*?^```", re.M | re.S)
HEADING = re.compile(r"^(#{1,6}) (.+)$", re.M)


def text(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def pages() -> list[Path]:
    return sorted(DOCS.glob("*.md"))


def prose(markdown: str) -> str:
    """The markdown without its fenced code blocks (whose brackets are not links)."""
    return FENCE.sub("", markdown)


def slug(heading: str) -> str:
    """The anchor mkdocs (Python-Markdown's toc) gives a heading."""
    plain = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading).replace("`", "")
    plain = unicodedata.normalize("NFKD", plain).encode("ascii", "ignore").decode()
    plain = re.sub(r"[^\w\s-]", "", plain).strip().lower()
    return re.sub(r"[-\s]+", "-", plain)


def anchors(path: Path) -> set[str]:
    return {slug(m.group(2)) for m in HEADING.finditer(prose(text(path)))}


# --- (a) the site builds strictly ---------------------------------------------------------

def test_the_manual_builds_strictly(tmp_path):
    if importlib.util.find_spec("mkdocs") is None:
        pytest.skip("mkdocs is not installed (pip install -e '.[docs]')")
    built = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path / "site")],
        cwd=REPO, capture_output=True, text=True, timeout=300,
    )
    assert built.returncode == 0, built.stdout + built.stderr
    assert (tmp_path / "site" / "index.html").exists()


# --- (b) every command and option of the CLI is in docs/commands.md -----------------------

def commands(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[str, click.Command]]:
    """(path, command) for every command under `group`, groups included, depth first."""
    found = []
    for name, command in sorted(group.commands.items()):
        path = (*prefix, name)
        found.append((" ".join(path), command))
        if isinstance(command, click.Group):
            found += commands(command, path)
    return found


def named(command: click.Command) -> list[str]:
    """What the page must name for `command`: its long options, arguments and choices."""
    names = []
    for param in command.params:
        if isinstance(param, click.Option):
            names += [opt for opt in param.opts + param.secondary_opts if opt.startswith("--") and opt != "--help"]
            if isinstance(param.type, click.Choice):
                names += [str(choice) for choice in param.type.choices]
        elif isinstance(param, click.Argument):
            names.append(param.metavar or param.name.upper())
    return names


def sections(page: str) -> dict[str, str]:
    """Each command path named in a heading (`pgproof fixes run [...]`), with its section:
    the text from that heading to the next heading of the same or a higher level."""
    found: dict[str, str] = {}
    headings = list(HEADING.finditer(page))
    for i, match in enumerate(headings):
        level = len(match.group(1))
        end = next((h.start() for h in headings[i + 1:] if len(h.group(1)) <= level), len(page))
        for path in re.findall(r"`pgproof((?: [a-z][a-z-]*)+)", match.group(2)):
            found[path.strip()] = page[match.start():end]
    return found


def test_every_command_and_option_is_in_the_commands_page():
    page = text(DOCS / "commands.md")
    documented = sections(prose(page))
    known = dict(commands(cli.cli))
    missing = []
    for path, command in known.items():
        if isinstance(command, click.Group):
            if f"pgproof {path}" not in page:
                missing.append(f"`pgproof {path}`")
            continue
        section = documented.get(path)
        if section is None:
            missing.append(f"a heading naming `pgproof {path}`")
            continue
        # an option pgproof itself has too (--timings) is named once, for every command
        missing += [f"{name} in the section of `pgproof {path}`" for name in named(command)
                    if name not in section and name not in named(cli.cli)]
    missing += [f"{name} (an option of pgproof itself)" for name in named(cli.cli) if name not in page]
    assert not missing, "docs/commands.md does not name: " + "; ".join(missing)
    gone = sorted(set(documented) - set(known))
    assert not gone, f"docs/commands.md documents commands the CLI does not have: {gone}"


def test_the_commands_page_names_no_option_a_command_lacks():
    page = prose(text(DOCS / "commands.md"))
    known = dict(commands(cli.cli))
    own = set(named(cli.cli)) | {"--help", "--version"}
    wrong = []
    for path, section in sections(page).items():
        heading = section.splitlines()[0]
        for option in re.findall(r"--[a-z][a-z-]*", heading):
            if option not in set(named(known[path])) | own:
                wrong.append(f"{option} in the heading of `pgproof {path}`")
    assert not wrong, "; ".join(wrong)


# --- (c) the closer table is the order of gaps.close() ------------------------------------

def dotted(node: ast.expr) -> str:
    if isinstance(node, ast.Attribute):
        return f"{dotted(node.value)}.{node.attr}"
    if isinstance(node, ast.Name):
        return node.id
    raise AssertionError(f"unexpected call target {ast.dump(node)}")


def closers() -> tuple[list[str], list[str]]:
    """The closers `close()` calls one per line, in order, and the calls of its return."""
    tree = ast.parse(text(GAPS))
    close = next(n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == "close")
    steps = [dotted(s.value.func) for s in close.body if isinstance(s, ast.Expr) and isinstance(s.value, ast.Call)]
    returned = next(s for s in close.body if isinstance(s, ast.Return))
    final = [dotted(c.func) for c in ast.walk(returned) if isinstance(c, ast.Call) and dotted(c.func) != "Closure"]
    return steps, [f for f in final if not f.startswith("script.")]


def closer_table() -> list[tuple[str, str]]:
    page = text(DOCS / "migra-gaps.md")
    section = page[page.index("## How the catalog check closes them"):]
    section = section[:section.index("\n## ", 1)]
    rows = []
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if line.startswith("|") and len(cells) >= 2 and re.fullmatch(r"\d+|then", cells[0]):
            rows.append((cells[0], cells[1].strip("`")))
    return rows


def test_the_closer_table_lists_the_closers_of_close_in_order():
    steps, final = closers()
    assert len(steps) >= 20, steps  # the parse found the closers
    rows = closer_table()
    numbered = [name for order, name in rows if order != "then"]
    assert numbered == steps, (
        "docs/migra-gaps.md, 'How the catalog check closes them', must list the closers of "
        f"gaps.close() in its order:\n  code: {steps}\n  docs: {numbered}"
    )
    assert [order for order, _ in rows if order != "then"] == [str(i) for i in range(1, len(steps) + 1)]
    then = [name for order, name in rows if order == "then"]
    assert all(f in then for f in final), f"the table's 'then' rows lack {final}"


# --- hazards and dependencies: a row each ---------------------------------------------------

def test_the_hazard_table_has_every_hazard_code():
    page = text(DOCS / "hazards.md")
    lines = page[page.index("| code | when |"):].splitlines()
    # the table ends at its first line that is not a row: a paragraph or a blank line
    # inside it would cut it in two
    table = lines[:next((i for i, line in enumerate(lines) if not line.startswith("|")), len(lines))]
    codes = [m.group(1) for line in table if (m := re.match(r"\| `(\w+)`", line))]
    assert sorted(codes) == sorted(kind.code for kind in HazardKind), (
        "docs/hazards.md: the hazard table (one unbroken table) must have one row per HazardKind")


def requirement_names() -> set[str]:
    project = tomllib.loads(text(REPO / "pyproject.toml"))["project"]
    requirements = list(project["dependencies"])
    for extra in project["optional-dependencies"].values():
        requirements += extra
    names = {re.split(r"[<>=!~\[; ]", r, maxsplit=1)[0] for r in requirements}
    return names - {project["name"]}


def test_every_dependency_says_why_it_is_there():
    page = text(DOCS / "dependencies.md").lower()
    missing = sorted(name for name in requirement_names() if name.lower() not in page)
    assert not missing, f"docs/dependencies.md does not say why these are needed: {missing}"


# --- (d) the README is short, runs the tests like .ci/run, and every link resolves -----------

def test_the_readme_is_at_most_250_lines():
    lines = text(README).count("\n")
    assert lines <= README_MAX_LINES, f"README.md has {lines} lines; move the detail to docs/"


def test_the_readme_runs_the_tests_exactly_as_ci_does():
    ci = [line.strip() for line in text(REPO / ".ci" / "run").splitlines()
          if line.strip().startswith(".venv/bin/python -m pytest")]
    assert len(ci) == 1, ci
    blocks = re.findall(r"^```bash\n(.*?)^```", text(README), re.M | re.S)
    assert any(ci[0] in block.splitlines() for block in blocks), f"README.md must show `{ci[0]}`"


@pytest.mark.parametrize("source", [README, *pages()], ids=lambda p: str(p.relative_to(REPO)))
def test_every_relative_link_resolves(source):
    broken = []
    for target in LINK.findall(prose(text(source))):
        if re.match(r"[a-z]+:", target):  # https:, mailto:
            continue
        path, _, anchor = target.partition("#")
        resolved = (source.parent / path).resolve() if path else source
        if not resolved.exists():
            broken.append(f"{target}: no such file")
        elif anchor and resolved.suffix == ".md" and anchor not in anchors(resolved):
            broken.append(f"{target}: no heading with that anchor")
    assert not broken, f"{source.relative_to(REPO)}: " + "; ".join(broken)
