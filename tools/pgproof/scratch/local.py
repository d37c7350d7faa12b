"""The `local` provider: PostgreSQL binaries already on the machine (`pg_config` on PATH,
Debian's /usr/lib/postgresql/<major>/bin, or `local:/path/to/bin`), driven like the
embedded wheels: a throwaway cluster in a temporary directory, Unix socket only."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

from pgproof.core.errors import ScratchError
from pgproof.scratch import installation as installations
from pgproof.scratch.embedded import cluster_server
from pgproof.scratch.installation import Installation
from pgproof.scratch.server import ScratchServer

LOCAL = "local"


def is_local(spec: str) -> bool:
    return spec == LOCAL or spec.startswith(LOCAL + ":")


def local_installation(spec: str, target_major: int | None) -> Installation:
    """The installation `spec` names (`local` or `local:/path/to/bin`), with pgvector."""
    if spec.startswith(LOCAL + ":"):
        folder = Path(spec[len(LOCAL) + 1:]).expanduser()
        found = installations.at(folder.resolve())
        if found is None:
            raise ScratchError(
                f"--scratch {spec}: there is no PostgreSQL in {folder} (initdb and postgres are not there); "
                "give the folder that `pg_config --bindir` prints."
            )
    else:
        found = installations.local(target_major) if target_major else next(iter(installations.locals_()), None)
        if found is None:
            have = ", ".join(i.label for i in installations.locals_()) or "none"
            wanted = f"PostgreSQL {target_major}" if target_major else "PostgreSQL"
            raise ScratchError(
                f"--scratch local found no {wanted} on this machine (found: {have}); "
                "install it with pgvector (see docs/majors.md, 'Which major comes from where')"
                " or use --scratch local:/path/to/bin."
            )
    if not found.has_pgvector():
        raise ScratchError(missing_pgvector(found))
    return found


def missing_pgvector(found: Installation) -> str:
    return (
        f"{found.label} has no pgvector (no vector.control in {found.sharedir() / 'extension'}); "
        f"install pgvector for it (in pgvector's source folder: make install PG_CONFIG={found.bin / 'pg_config'}; "
        "see docs/majors.md, 'Which major comes from where')."
    )


@contextlib.contextmanager
def local_server(installation: Installation, settings: dict[str, str] | None = None,
                 hba: tuple[str, ...] = ()) -> Iterator[ScratchServer]:
    """A throwaway cluster of the machine's own `installation`, deleted afterwards."""
    with cluster_server(installation, LOCAL, settings, hba) as server:
        yield server
