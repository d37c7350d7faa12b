"""migra's comparisons, each pair of objects compared once per migration.

migra finds what changed with `util.differences(a, b)`, which compares every object the
two sides share twice (`!=` for the modified, `==` for the unmodified), and one
migration calls it on all tables and views six times (for the creations, the drops, the
triggers, ...). schemainspect's `__eq__` is Python over dozens of attributes, so at
3,000 tables these comparisons took 3 to 4 s of every migra run, more than half of it.

Patched here: each common pair is compared once per call, and inside `comparing()`
(one migration) each pair's answer is kept and reused. Nothing in migra changes an
inspected object while it compares, and `!=` is `not ==` for every schemainspect class,
so the statements are the same. Applied once, idempotent; the pinned versions are in
pyproject.toml.
"""

from __future__ import annotations

import contextlib
import threading
from collections import OrderedDict
from collections.abc import Iterator

_APPLIED = False
_local = threading.local()  # two proofs compare at once, each on its own thread


def apply() -> None:
    global _APPLIED
    if _APPLIED:
        return
    from migra import changes

    changes.differences = differences
    _APPLIED = True


@contextlib.contextmanager
def comparing() -> Iterator[None]:
    """Within the block, this thread remembers every pair's answer (one migration)."""
    _local.answers = {}
    try:
        yield
    finally:
        _local.answers = None


def differences(a, b, add_dependencies_for_modifications=True):
    """migra's `util.differences`: added, removed, modified, unmodified, each ordered by key."""
    added = OrderedDict((k, b[k]) for k in sorted(b.keys() - a.keys()))
    removed = OrderedDict((k, a[k]) for k in sorted(a.keys() - b.keys()))
    modified, unmodified = OrderedDict(), OrderedDict()
    for key in sorted(a.keys() & b.keys()):
        (unmodified if _equal(a[key], b[key]) else modified)[key] = b[key]
    return added, removed, modified, unmodified


def _equal(x, y) -> bool:
    answers = getattr(_local, "answers", None)
    if answers is None:
        return x == y
    pair = (id(x), id(y))
    known = answers.get(pair)
    if known is None:
        known = answers[pair] = (x == y, x, y)  # x and y kept: their ids stay theirs
    return known[0]
