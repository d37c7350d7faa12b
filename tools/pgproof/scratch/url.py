"""The `postgresql://` provider: an existing server; each scratch database is created
there as ``pgproof_scratch_<random>`` and always dropped."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from .. import db
from .server import ScratchServer

URL_PREFIXES = ("postgresql://", "postgres://", "postgresql+")


def is_url(spec: str) -> bool:
    return spec.startswith(URL_PREFIXES)


@contextlib.contextmanager
def url_server(url: str) -> Iterator[ScratchServer]:
    version = db.probe(url, role="scratch server")
    yield ScratchServer(url=url, version=version, kind="url")
