"""The demo the wheel ships is the repository's own project, byte for byte.

`pgproof demo` runs outside this repository, so the package carries the schema and data fixes
(tools/pgproof/demo_project/). The repository's schema/ and data_fixes/ are the canonical
files; this test keeps the two in step, and its message says how to bring them back."""
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
DEMO = REPO / "tools" / "pgproof" / "demo_project"


def _files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes()
            for folder in ("schema", "data_fixes") for p in sorted((root / folder).glob("*.sql"))}


@pytest.mark.parametrize("folder", ["schema", "data_fixes"])
def test_demo_project_is_the_repository_project(folder: str) -> None:
    ours = {k: v for k, v in _files(REPO).items() if k.startswith(folder)}
    shipped = {k: v for k, v in _files(DEMO).items() if k.startswith(folder)}
    assert ours, f"no {folder}/*.sql in the repository"
    assert ours == shipped, (
        f"tools/pgproof/demo_project/{folder}/ differs from {folder}/; the repository's files are "
        f"the source: rm -r tools/pgproof/demo_project/{folder} && "
        f"cp -r {folder} tools/pgproof/demo_project/{folder}")
