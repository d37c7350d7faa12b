"""The working state of closing migra's gaps: migra's statements, the statements placed
around them, the migra statements replaced, and the gaps that stay open.

Placement is explicit, so the ordering policy in `gaps.close` stays readable: a statement
goes in the prologue (after migra's schema and extension creations, before anything
else), just before or after one of migra's statements, or in the epilogue (after all of
them). Statements placed at the same spot keep the order in which they were placed.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any

from pgproof.read.catalog import Catalog, Difference
from pgproof.core.statement import Statement
from pgproof.diff.gaps import touched
from pgproof.diff.gaps.touched import Touch

Anchor = tuple[int, int]  # (position among migra's statements, -1 before / 0 at / +1 after)


class GapCode(enum.Enum):
    """Changes pgproof finds but cannot write safely; each message is written once."""

    CONSTRAINT_INDEX = (
        "constraint-index",
        "the index behind a constraint changed ({what}) while the constraint did not; "
        "rebuilding it means dropping the constraint, which foreign keys may need",
    )
    DOMAIN_BASE_TYPE = (
        "domain-base-type",
        "ALTER DOMAIN cannot change a domain's base type",
    )
    GENERATED_KIND = (
        "generated-kind",
        "a column cannot switch between stored, virtual and not generated in place",
    )
    ENUM_RECREATED = (
        "enum-recreated",
        "labels are removed or reordered, so migra re-creates the type, which fails while "
        "functions use it",
    )
    TYPE_IN_USE = (
        "type-in-use",
        "migra drops and re-creates the type, which fails while columns or functions use it, "
        "and ALTER TYPE cannot change an attribute's type or order then",
    )
    COLUMN_TYPE_CAST = (
        "column-type-cast",
        "PostgreSQL has no cast from the target's type to the desired one ({what}), so the "
        "values cannot be converted in place; say how they convert with a line "
        "'-- pgproof: convert column SCHEMA.TABLE.COLUMN using EXPRESSION' next to the column in "
        "the schema (docs/schema.md), or add the new column beside the old one, fill it with a "
        "data fix (docs/data-fixes.md), then drop the old column",
    )
    UNHANDLED = (
        "unhandled",
        "the catalogs differ ({what}) and no statement of migra or pgproof changes it",
    )

    @property
    def code(self) -> str:
        return self.value[0]


@dataclass(frozen=True)
class Gap:
    """A difference pgproof found but writes no statement for: change it by hand."""

    code: str  # stable: constraint-index, domain-base-type, generated-kind, ...
    kind: str
    key: str
    desired: dict[str, Any] | None
    actual: dict[str, Any] | None
    message: str  # one sentence

    @property
    def label(self) -> str:
        return f"{self.kind} {self.key}"


@dataclass
class _Placed:
    anchor: Anchor
    seq: int
    statement: Statement


@dataclass
class Script:
    migra: list[Statement]
    desired: Catalog
    actual: Catalog
    differences: list[Difference]
    placed: list[_Placed] = field(default_factory=list)
    removed: set[int] = field(default_factory=set)
    claimed: set[tuple[str, str]] = field(default_factory=set)  # differences answered
    gaps: list[Gap] = field(default_factory=list)
    recreated: set[str] = field(default_factory=set)  # `kind key` dropped with another object

    def __post_init__(self) -> None:
        self.touches = [touched.read(s) for s in self.migra]
        # (kind, key) -> [(position, action)]: `find` is asked once per difference, so a
        # scan of every statement each time would be quadratic in a large schema.
        self._positions: dict[tuple[str, str], list[tuple[int, str]]] = {}
        for i, touches in enumerate(self.touches):
            for t in touches:
                self._positions.setdefault((t.kind, t.key), []).append((i, t.action))

    # --- where ---------------------------------------------------------------------

    @property
    def prologue(self) -> Anchor:
        """After migra's leading schema and extension creations (types may need them)."""
        position = 0
        while position < len(self.migra) and any(
            t.kind in ("schema", "extension") and t.action == touched.CREATE
            for t in self.touches[position]
        ):
            position += 1
        return (position, -1)

    @property
    def epilogue(self) -> Anchor:
        return (len(self.migra), -1)

    @staticmethod
    def before(position: int) -> Anchor:
        return (position, -1)

    @staticmethod
    def after(position: int) -> Anchor:
        return (position, 1)

    # --- what ----------------------------------------------------------------------

    def add(self, anchor: Anchor, *statements: Statement) -> Anchor:
        """Place statements at `anchor`; returns it, so more can follow them."""
        for statement in statements:
            self.placed.append(_Placed(anchor, len(self.placed) + 1, statement))
        return anchor

    def replace(self, position: int, *statements: Statement) -> None:
        """Remove migra's statement at `position` and put `statements` in its place."""
        self.removed.add(position)
        self.add(self.before(position), *statements)

    def claim(self, difference: Difference) -> None:
        self.claimed.add((difference.kind, difference.key))

    def gap(self, code: GapCode, difference: Difference) -> None:
        self.claim(difference)
        what = {
            "missing": "missing from the target",
            "extra": "only in the target",
        }.get(difference.status, "in " + ", ".join(difference.changed_fields))
        reason = code.value[1].format(what=what)
        self.gaps.append(Gap(
            code=code.code, kind=difference.kind, key=difference.key,
            desired=difference.desired, actual=difference.actual,
            message=f"{difference.label}: {reason}.",
        ))

    # --- reading -------------------------------------------------------------------

    def find(self, kind: str, key: str, *actions: str) -> list[int]:
        """Positions of migra's (kept) statements that touch (kind, key) with `actions`."""
        wanted = touched.function_key(key) if kind == "function" else key
        return sorted({
            i for i, action in self._positions.get((kind, wanted), ())
            if i not in self.removed and (not actions or action in actions)
        })

    def anchor_of(self, kind: str, key: str, *actions: str) -> Anchor | None:
        """Where to place statements so they run right after the last statement (migra's
        or placed) that touches (kind, key) with `actions`; None when there is none."""
        candidates = [self.after(p) for p in self.find(kind, key, *actions)]
        candidates += [
            placed.anchor for placed in self.placed
            if any(_matches(t, kind, key) and t.action in actions for t in touched.read(placed.statement))
        ]
        return max(candidates) if candidates else None

    def of_kind(self, *kinds: str) -> list[Difference]:
        return [d for d in self.differences if d.kind in kinds]

    def statements(self) -> list[Statement]:
        """migra's kept statements and the placed ones, in order."""
        entries = [((i, 0), 0, s) for i, s in enumerate(self.migra) if i not in self.removed]
        entries += [(p.anchor, p.seq, p.statement) for p in self.placed]
        return [s for _, _, s in sorted(entries, key=lambda e: (e[0], e[1]))]

    def all_touches(self) -> list[Touch]:
        kept = [t for i, ts in enumerate(self.touches) if i not in self.removed for t in ts]
        return kept + [t for p in self.placed for t in touched.read(p.statement)]


def _matches(touch: Touch, kind: str, key: str) -> bool:
    if touch.kind != kind:
        return False
    if kind == "function":
        return touch.key == touched.function_key(key)
    return touch.key == key
