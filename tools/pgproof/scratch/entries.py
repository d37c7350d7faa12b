"""A cache entry's file: data, checked. No pickle: JSON, which runs no code when read.

An entry file (`entries/<key>.entry`, 0600) is one header line and a body::

    {"pgproof_cache_entry": 3, "key": "<key>", "sha256": "<of the body>", "bytes": <body length>}
    {"database": ..., "kind": ..., "holds": ..., "template": {...}, "side": ... or null}

Read back only when the header names the key it was looked up by (two swapped files are
two misses) and the body's SHA-256 is the recorded one (one changed byte is a miss); a
file that fails either, or does not parse, is `Damaged`: dropped and built again, never
used. The file's modification time is when the entry was last used (`touch`), which the
size cap evicts by: least recently used first (`to_evict`), never one a run holds.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

FORMAT = 3  # of the entry file; format 2 was a pickle (`.side`) beside a manifest (`.json`)
SUFFIX = ".entry"
_MAX_HEADER = 4096


class Damaged(Exception):
    """An entry file that is not what pgproof wrote for its key."""


@dataclass(frozen=True)
class Entry:
    """A complete cache entry: a template database on the cache server, and what was read
    from it when it was built (None for entries that keep only the database)."""

    key: str
    database: str
    side: Any = None
    kind: str = ""  # "desired" or "target copy"
    holds: str = ""  # what it holds, for `cache status`
    template: dict[str, Any] = field(default_factory=dict)  # its identity on the server, checked before use
    bytes: int = 0  # its database's size on the server plus this file's
    last_used: float = field(default=0.0, compare=False)  # when read: its file's modification time


def encode(entry: Entry) -> bytes:
    """The file of `entry`: a header naming its key and the SHA-256 of the body."""
    body = json.dumps({
        "key": entry.key, "database": entry.database, "kind": entry.kind, "holds": entry.holds,
        "template": entry.template, "bytes": entry.bytes, "side": entry.side,
    }, separators=(",", ":"), allow_nan=False).encode()
    header = {"pgproof_cache_entry": FORMAT, "key": entry.key, "sha256": hashlib.sha256(body).hexdigest(),
              "bytes": len(body)}
    return json.dumps(header, separators=(",", ":")).encode() + b"\n" + body


def decode(data: bytes, key: str, last_used: float = 0.0) -> Entry:
    """The entry in `data`, verified to be `key`'s and whole; Damaged otherwise."""
    line, newline, body = data.partition(b"\n")
    if not newline or len(line) > _MAX_HEADER:
        raise Damaged("no header line")
    try:
        header = json.loads(line)
    except ValueError:
        raise Damaged("the header is not JSON") from None
    if not isinstance(header, dict) or header.get("pgproof_cache_entry") != FORMAT:
        raise Damaged("not an entry of this pgproof")
    if header.get("key") != key:
        raise Damaged("it is the entry of another key")
    if header.get("bytes") != len(body) or header.get("sha256") != hashlib.sha256(body).hexdigest():
        raise Damaged("its content does not match its checksum")
    try:
        content = json.loads(body)
        if content["key"] != key:
            raise Damaged("it is the entry of another key")
        return Entry(key=key, database=str(content["database"]), side=content["side"], kind=str(content["kind"]),
                     holds=str(content["holds"]), template=dict(content["template"]), bytes=int(content["bytes"]),
                     last_used=last_used)
    except (ValueError, KeyError, TypeError):
        raise Damaged("its content is not an entry") from None


def path_of(folder: Path, key: str) -> Path:
    return folder / f"{key}{SUFFIX}"


def read(folder: Path, key: str) -> Entry | None:
    """The entry of `key` in `folder`: None when there is none; Damaged when its file is
    not `key`'s, or not whole."""
    path = path_of(folder, key)
    try:
        with open(path, "rb") as handle:
            info = os.fstat(handle.fileno())
            data = handle.read()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise Damaged(f"it cannot be read ({exc.strerror})") from None
    return decode(data, key, info.st_mtime)


def touch(folder: Path, key: str) -> None:
    """Record that the entry was used now (its file's modification time)."""
    try:
        os.utime(path_of(folder, key))
    except OSError:
        pass  # evicted meanwhile: nothing to record


def listed(folder: Path) -> list[Entry]:
    """Every entry in `folder` that reads whole, oldest use first (for status and the cap);
    damaged files are left out (the next run of their key drops them)."""
    found = []
    for path in folder.glob(f"*{SUFFIX}"):
        try:
            entry = read(folder, path.name[: -len(SUFFIX)])
        except Damaged:
            continue
        if entry is not None:
            found.append(entry)
    return sorted(found, key=lambda e: (e.last_used, e.key))


def to_evict(entries: list[Entry], total: int, cap: int, held: set[str]) -> list[Entry]:
    """The entries to evict so that `total` bytes fall to `cap` or below: least recently
    used first, never one in `held` (in use by a run). May not reach the cap when what
    is held is larger."""
    chosen = []
    for entry in sorted(entries, key=lambda e: (e.last_used, e.key)):
        if total <= cap:
            break
        if entry.key in held:
            continue
        chosen.append(entry)
        total -= entry.bytes
    return chosen


def age(entry: Entry, now: float | None = None) -> float:
    """Seconds since the entry was last used."""
    return max(0.0, (now if now is not None else time.time()) - entry.last_used)
