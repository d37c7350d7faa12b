"""Close migra's blind spots with the independent catalog comparison.

After migra, the catalogs of the target and the desired (scratch) database are compared
object by object. Where they differ on something migra's statements do not change (read
with pglast, see `touched`), pgproof writes the statements itself (origin `catalog` or
`comments`), placed where they must run relative to migra's; or, where no statement
can be written safely, it reports a named `Gap` with the object and both definitions.
Nothing that differs is left silent: a difference that no statement touches becomes the
gap `unhandled`.

`close` is the whole ordering policy, one line per kind of gap, like migra's
`Migration.add_all_changes`. docs/migra-gaps.md lists every gap and what happens to it.
"""

from __future__ import annotations

from dataclasses import dataclass

from pgproof.read.catalog import COMMENT, Catalog, Difference
from pgproof.core.statement import Statement
from pgproof.diff.gaps import (collations, column_types, columns, comments, dependents, functions, indexes, order,
                               partitions, relations, rules, touched, types, validity)
from pgproof.diff.gaps.script import Gap, GapCode, Script

__all__ = ["Closure", "Gap", "GapCode", "as_dict", "close", "refusal"]


@dataclass(frozen=True)
class Closure:
    statements: list[Statement]  # migra's (some replaced) and pgproof's, in order
    gaps: list[Gap]  # what no statement closes, sorted by object


def close(
    migra: list[Statement], desired: Catalog, actual: Catalog, differences: list[Difference],
    uncastable: frozenset[str] = frozenset(), conversions: dict[str, str] | None = None,
) -> Closure:
    """migra's statements completed (and corrected) from the catalog differences;
    `uncastable`: columns whose type change has no cast, `conversions`: the USING
    expression the schema gives for a column's type change (see `column_types`)."""
    script = Script(migra, desired, actual, differences)
    # Where each closer puts its statements (prologue: after migra's schema and extension
    # creations; epilogue: after all of migra's statements):
    partitions.copies(script)          # migra's copies of a partitioned table's checks, FKs, triggers: removed
    validity.not_valid(script)         # a NOT VALID constraint stays NOT VALID: no VALIDATE
    collations.in_new_tables(script)   # in place of migra's CREATE TABLE: the columns' COLLATE kept
    types.extensions(script)           # prologue: ALTER EXTENSION ... SET SCHEMA
    types.enum_values(script)          # prologue: ADD VALUE, instead of migra's re-creation
    types.recreated_enum_defaults(script)  # re-created enum: its array columns recast, old defaults not set back
    types.composites(script)           # in place of migra's DROP/CREATE TYPE of a type in use
    types.domains(script)              # prologue: CREATE / ALTER DOMAIN; epilogue: DROP DOMAIN
    columns.generated(script)          # in place of migra's SET DEFAULT / stored ADD COLUMN
    conversions = conversions or {}
    column_types.conversions(script, conversions)  # in place of migra's ALTER ... TYPE: the schema's USING
    column_types.defaults(script, uncastable - set(conversions))  # around ALTER ... TYPE: DROP DEFAULT, SET after
    relations.around_type_changes(script)  # before migra's first ALTER ... TYPE: DROP VIEW; after: CREATE
    dependents.around_recreated(script)  # before migra's DROP of a re-created relation: DROP VIEW; epilogue: CREATE
    functions.changed(script)          # DROP just before a new return type; epilogue: bodies
    indexes.recreated(script)          # after the constraint's drop or the view's re-creation
    indexes.rebuilt(script)            # epilogue: DROP INDEX + CREATE INDEX, same name
    indexes.partitioned_keys(script)   # after the partitions' constraints: ADD CONSTRAINT
    indexes.attached(script)           # after both creations: ATTACH PARTITION
    columns.sequences(script)          # epilogue: ALTER SEQUENCE options
    relations.options(script)          # after migra's CREATE of the object, else epilogue
    relations.forced_row_security(script)  # epilogue: ALTER TABLE ... [NO] FORCE
    rules.rules(script)                # prologue: DROP RULE; epilogue: CREATE RULE (and re-created views' rules)
    rules.event_triggers(script)       # prologue: DROP EVENT TRIGGER; epilogue: CREATE EVENT TRIGGER
    comments.emit(script)              # epilogue, last: every commented object exists
    _unhandled(script)                 # anything still untouched: a named gap, never silence
    gaps = sorted(script.gaps, key=lambda g: (g.kind, g.key, g.code))
    # Then the whole script, migra's statements and the placed ones, sorted (stably) so
    # that each runs after what it needs: see `order`.
    return Closure(statements=order.by_dependencies(script.statements(), actual), gaps=gaps)


def _unhandled(script: Script) -> None:
    touches = script.all_touches()
    named = {(t.kind, t.key) for t in touches}
    relations: dict[str, set[str]] = {}  # table or view -> what statements do to it
    for t in touches:
        if t.kind in ("table", "view"):
            relations.setdefault(t.key, set()).add(t.action)
    for difference in script.differences:
        if difference.ref in script.claimed or difference.kind == COMMENT:
            continue
        key = touched.function_key(difference.key) if difference.kind == "function" else difference.key
        if (difference.kind, key) in named or _with_parent(difference, relations):
            continue
        if difference.kind == "sequence" and _goes_with_its_column(script, difference, touches):
            continue

        script.gap(GapCode.UNHANDLED, difference)


def _goes_with_its_column(script: Script, difference: Difference, touches) -> bool:
    """A sequence only the target has, owned by a column that a statement drops or
    changes from identity to plain: it goes with the column."""
    owner = (difference.actual or {}).get("owned_by") if difference.status == "extra" else None
    if not owner:
        return False
    changed = {t.key: t.action for t in touches if t.kind == "column" and t.key == owner}
    if changed.get(owner) == touched.DROP:
        return True
    column = script.desired.get("column", owner)
    return owner in changed and column is not None and not column.definition.get("identity")


def _with_parent(difference: Difference, relations: dict[str, set[str]]) -> bool:
    """Whether the difference goes with its table or view: dropping one drops all that
    belongs to it; creating one creates its columns and inline constraints only."""
    actions = relations.get(difference.parent, set()) if difference.parent else set()
    if touched.DROP in actions:
        return True
    return difference.kind in ("column", "constraint") and bool(actions & touched.WHOLE)


def as_dict(gap: Gap) -> dict:
    """A gap for machine formats (diff and drift JSON)."""
    return {
        "code": gap.code, "kind": gap.kind, "object": gap.key, "message": gap.message,
        "desired": gap.desired, "actual": gap.actual,
    }


def refusal(found: list[Gap]) -> str:
    """The one sentence `diff` fails with when gaps stay open."""
    named = "; ".join(f"{g.code} ({g.label})" for g in found)
    return (
        f"the printed statements leave out {len(found)} change(s) that pgproof cannot write "
        f"safely: {named}; write them by hand (docs/migra-gaps.md, 'Gaps: changes pgproof "
        "will not write', says how for each code), then run pgproof drift."
    )
