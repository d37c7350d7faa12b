"""The no-change fast path: a target whose catalog fingerprint (read/fingerprint.py)
equals the one kept beside the cached desired schema has no drift, which is known from
one query on the target, without migra's inspection or the catalog check of either side.

When the desired schema's cache entry is built, its fingerprint is kept beside it
(`scratch/beside.py`) with what a report of "no change" needs from that side: its
catalog's own fingerprint, its major and its objects of uncompared kinds. A run then
reads the target's fingerprint and, only when equal under the same settings, answers
with the empty diff the full comparison would have given; else it compares in full.
"""

from __future__ import annotations

from typing import Any

from pgproof.core import timing
from pgproof.core.exclusions import Exclusions
from pgproof.diff.engine import Diff
from pgproof.read import fingerprint
from pgproof.read.catalog import Catalog
from pgproof.scratch import beside
from pgproof.scratch.cache import Cache

FORMAT = f"unchanged-1/fingerprint-{fingerprint.VERSION}"


def keep(cache: Cache, key: str, url: str, catalog: Catalog, exclusions: Exclusions) -> None:
    """Keep the fingerprint of the desired schema loaded at `url` (read as `catalog`)
    beside its cache entry `key`."""
    with timing.phase("fingerprint"):
        found = fingerprint.read(url, exclusions, role="scratch")
    beside.write(cache.entries, key, {
        "format": FORMAT, "settings": fingerprint.settings_of(exclusions), "fingerprint": found.digest,
        "catalog": catalog.fingerprint(), "major": catalog.server_major,
        "uncompared": {kind: list(names) for kind, names in catalog.uncompared.items()},
    })


def empty_diff(cache: Cache, key: str, target_url: str, target_major: int, exclusions: Exclusions
               ) -> Diff | None:
    """The diff from the target to the desired schema of entry `key` when their
    fingerprints are equal (no statement, no difference), else None."""
    record = beside.read(cache.entries, key)
    if not record or record.get("format") != FORMAT or record.get("settings") != fingerprint.settings_of(exclusions):
        return None
    with timing.phase("fingerprint"):
        target = fingerprint.read(target_url, exclusions, role="target")
    if target.digest != record["fingerprint"]:
        return None
    desired = _summary(record["catalog"], record["major"], {k: tuple(v) for k, v in record["uncompared"].items()})
    actual = _summary(record["catalog"], target_major, target.uncompared)
    return Diff(statements=[], differences=[], desired=desired, actual=actual)


def _summary(catalog_fingerprint: str, major: Any, uncompared: dict[str, tuple[str, ...]]) -> Catalog:
    """A catalog known only by its fingerprint: equal fingerprints mean equal objects,
    and a report of no change shows only the fingerprint."""
    found = Catalog({}, server_major=major, uncompared=uncompared)
    found.__dict__["_fingerprint"] = catalog_fingerprint  # the cached_property, known already
    return found
