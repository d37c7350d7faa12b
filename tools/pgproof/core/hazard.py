"""What a statement can do to data and traffic: each hazard kind with its stable code and
its message, written once. The detectors that find them are `plan/hazards.py`; a
statement and a plan carry them as data."""

from __future__ import annotations

import enum
from dataclasses import dataclass


class HazardKind(enum.Enum):
    DATA_LOSS = "drops data that cannot be recovered from the database"
    TABLE_REWRITE = "rewrites the whole table (time and disk proportional to its size)"
    ACCESS_EXCLUSIVE_LOCK = "holds an ACCESS EXCLUSIVE lock while it scans or rewrites the table: reads and writes wait"
    INDEX_BUILD = "builds an index: CPU and I/O load proportional to the table"
    CONSTRAINT_VALIDATION = "validates existing rows, and fails if any violate it"
    EXTENSION_VERSION = "changes an extension's version"
    IVFFLAT_SMALL_TABLE = "builds an IVFFlat index on too few rows: recall suffers"
    VECTOR_DIMENSION_CHANGE = "changes a vector dimension: every existing embedding becomes unusable"
    INDEX_DROP = "drops an index: queries that used it get slower"
    DATA_FIX = "changes the rows a data fix's check counted (deleted rows and changed values are archived)"

    @property
    def code(self) -> str:
        return self.name


@dataclass(frozen=True)
class Hazard:
    kind: HazardKind
    detail: str  # what, on which object, with counts where known
    # The names of what rows must satisfy (a constraint or index, table.column): a data
    # fix of the plan that resolves one of them removes the cause before the statement
    # runs (plan/row_counts.py says when; planning only, not in the plan file).
    keys: tuple[str, ...] = ()
    resolved_by: str | None = None  # the plan's data fix that removes the cause first
    # The data is kept (plan/keep.py): the rollback brings it back. Planning only, not in
    # the plan file (the detail says so there).
    kept: bool = False

    def describe(self) -> str:
        resolved = f" (resolved by data fix {self.resolved_by}, which runs first)" if self.resolved_by else ""
        return f"{self.kind.code}: {self.detail}{resolved}"

    @property
    def needs_ack(self) -> bool:
        """A reviewer must allow it: nothing in the plan removes its cause."""
        return self.resolved_by is None
