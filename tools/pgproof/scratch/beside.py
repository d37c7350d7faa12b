"""What is kept beside a cache entry, apart from the entry itself: a small JSON record per
entry key (`entries/<key>.beside`), such as the catalog fingerprint of a desired schema,
so a run can answer from it without loading the entry's side.

A record is written before the entry's manifest (from inside the entry's build), and
read only as a whole: a missing or unreadable one means "not known", never an error.
It is plain data; what it means is up to its writer (`diff/unchanged.py`).
"""

from __future__ import annotations

import json
import os
import secrets
from pathlib import Path
from typing import Any

SUFFIX = ".beside"  # not .json: `cache status` counts entries by their manifests


def path(entries: Path, key: str) -> Path:
    return entries / f"{key}{SUFFIX}"


def write(entries: Path, key: str, record: dict[str, Any]) -> None:
    """Keep `record` beside the entry of `key` (atomically: all of it or nothing)."""
    entries.mkdir(parents=True, exist_ok=True)
    final = path(entries, key)
    temporary = final.with_name(f".{final.name}.{os.getpid()}.{secrets.token_hex(4)}")
    with os.fdopen(os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w") as handle:
        json.dump(record, handle)  # in its order: a record may hold ordered data
    os.replace(temporary, final)


def read(entries: Path, key: str) -> dict[str, Any] | None:
    """The record kept beside the entry of `key`, or None."""
    try:
        found = json.loads(path(entries, key).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return found if isinstance(found, dict) else None
