"""The `docker` provider: a ``pgvector/pgvector:pg<major>`` container via testcontainers,
removed afterwards."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from pgproof.core import db, interrupts
from pgproof.core.errors import ScratchError
from pgproof.scratch.server import SCRATCH_SETTINGS, ScratchServer

DOCKER = "docker"


def docker_unavailable_reason() -> str | None:
    """None when a Docker engine answers, else why not (for messages and test skips)."""
    try:
        import docker

        client = docker.from_env(timeout=5)
        client.ping()
        client.close()
        return None
    except Exception as exc:  # docker raises many types; any of them means "no engine"
        return f"no Docker engine ({' '.join(str(exc).split())[:160]})"


@contextlib.contextmanager
def docker_server(major: int) -> Iterator[ScratchServer]:
    """A pgvector/pgvector:pg<major> container, removed afterwards."""
    reason = docker_unavailable_reason()
    if reason:
        raise ScratchError(
            f"--scratch docker needs a running Docker engine and there is {reason}; "
            "use --scratch embedded or a postgresql:// URL instead."
        )
    from testcontainers.postgres import PostgresContainer

    image = f"pgvector/pgvector:pg{major}"
    settings = {k: v for k, v in SCRATCH_SETTINGS.items() if k != "listen_addresses"}
    container = PostgresContainer(image=image, driver=None).with_command(
        " ".join(f"-c {key}={value}" for key, value in settings.items())
    )
    try:
        container.start()
    except Exception as exc:
        container.stop()
        raise ScratchError(
            f"could not start the Docker scratch container {image}: {' '.join(str(exc).split())[:200]}; "
            "check that the image can be pulled, or use --scratch embedded."
        ) from None
    try:
        url = container.get_connection_url()
        yield ScratchServer(url=url, version=db.probe(url, role="docker scratch"), kind=DOCKER)
    finally:
        with interrupts.held():
            container.stop()
