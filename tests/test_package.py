"""The package as a team that depends on it gets it: `python -m build` makes the sdist and
the wheel (built from that sdist, as a release makes it), the wheel is installed, not
editable, into a venv that does not see this repository, and `pgproof --version` and
`pgproof demo` run there from an empty folder, and `pgproof init` writes its workflows
from the templates the wheel carries.

The venv has no system site-packages. Its dependencies are not installed again: a full
install from this machine's offline index took 146 s (over the 90 s a test may take; the
machine was loaded), so the wheel goes in with --no-deps and a .pth file lends the venv
the main venv's site-packages, where the dependencies are. A .pth line only adds a
folder to sys.path, so the main venv's editable pgproof (its own .pth hook in that
folder) is not loaded: the test checks that pgproof is imported from the wheel.
"""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import tarfile
import zipfile
from pathlib import Path

import pytest

from conftest import REPO
from pgproof import __version__

PACKAGE_DATA = (
    "pgproof/read/catalog/tables.sql",
    "pgproof/schemas/plan.schema.json",
    "pgproof/schemas/drift.schema.json",
    "pgproof/demo_project/schema/schema.sql",
    "pgproof/demo_project/data_fixes/0001_remove_duplicate_segments.sql",
    "pgproof/templates/pgproof-plan.yml",
    "pgproof/templates/pgproof-deploy.yml",
    "pgproof/templates/pgproof-drift.yml",
)


@pytest.fixture(scope="module")
def dist(tmp_path_factory) -> Path:
    """The sdist and the wheel, as `python -m build` makes them for a release."""
    folder = tmp_path_factory.mktemp("dist")
    done = subprocess.run([sys.executable, "-m", "build", "--outdir", str(folder), str(REPO)],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return folder


def test_the_sdist_and_the_wheel_hold_the_package_data_and_nothing_else(dist):
    wheel = dist / f"pgproof-{__version__}-py3-none-any.whl"
    sdist = dist / f"pgproof-{__version__}.tar.gz"
    names = zipfile.ZipFile(wheel).namelist()
    for name in PACKAGE_DATA:
        assert name in names, name
    assert {n.split("/")[0] for n in names} == {"pgproof", f"pgproof-{__version__}.dist-info"}
    with tarfile.open(sdist) as tar:
        members = {m.name.split("/", 1)[1] for m in tar.getmembers() if "/" in m.name}
    assert {"CHANGELOG.md", "README.md", "pyproject.toml"} <= members
    assert "tools/pgproof/demo_project/data_fixes/0002_null_speaker_label_to_chaffee.sql" in members


@pytest.mark.xdist_group("leftovers")  # the demo's scratch sockets must not meet test_scratch's checks
def test_the_wheel_installed_in_a_clean_venv_runs_the_demo(dist, tmp_path):
    venv = tmp_path / "venv"
    # Without pip of its own (ensurepip alone took 94 s on a loaded machine): the main
    # venv's pip installs into it (pip --python).
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    python = venv / "bin" / "python"
    own = Path(subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                              capture_output=True, text=True, check=True).stdout.strip())
    (own / "main_venv_dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    wheel = dist / f"pgproof-{__version__}-py3-none-any.whl"
    installed = subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps",
                                "--quiet", str(wheel)],
                               capture_output=True, text=True, timeout=300)
    assert installed.returncode == 0, installed.stderr

    empty = tmp_path / "empty"
    empty.mkdir()
    work = tmp_path / "tmp"
    work.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "PYTHONPATH", "VIRTUAL_ENV")}
    env["TMPDIR"] = str(work)

    def run(*args: str, timeout: float = 60) -> subprocess.CompletedProcess:
        return subprocess.run(list(args), cwd=empty, env=env, capture_output=True, text=True, timeout=timeout)

    where = run(str(python), "-c", "import pgproof; print(pgproof.__file__)")
    assert Path(where.stdout.strip()).is_relative_to(own), where.stdout + where.stderr
    version = run(str(venv / "bin" / "pgproof"), "--version")
    assert version.returncode == 0 and version.stdout.strip() == f"pgproof, version {__version__}", version
    demo = run(str(venv / "bin" / "pgproof"), "demo", timeout=300)
    assert demo.returncode == 0, demo.stderr[-3000:]
    assert demo.stderr.rstrip().endswith("Done: production now matches schema/schema.sql, and nothing was lost.")
    assert "No drift: postgresql://postgres@/legacy_production" in demo.stdout
    assert list(empty.iterdir()) == []  # the demo writes nothing where it runs
    assert list(work.iterdir()) == []  # and leaves nothing behind

    # init writes its workflows from the templates in the wheel
    project = tmp_path / "project"
    project.mkdir()
    init = subprocess.run([str(venv / "bin" / "pgproof"), "init"], cwd=project, env=env, capture_output=True,
                          text=True, timeout=60)
    assert init.returncode == 0, init.stderr
    assert f'pip install "pgproof=={__version__}"' in (project / ".github/workflows/pgproof-plan.yml").read_text()
