"""Quote what schemainspect (migra's inspector) writes into SQL raw.

schemainspect quotes identifiers in one function, but interpolates some names and
literals as they are: enum labels (`'{}'`), the roles of a policy (`to {roles}`), a
collation's provider and locale, an extension's version, and the column of the recast
that re-creates an enum (`alter column orderStatus type ... using orderStatus::text::...`,
which PostgreSQL folds to `orderstatus`: "column does not exist"). A label such as `it's` then
breaks the statement, and a label or role written as `x'); DROP TABLE foo; --` makes
migra emit a statement of its own. These patches make each of them a literal or an
identifier with pgproof's own quoting (`statement.literal`, `statement.ident`), before
migra renders anything. `guard` checks the final script independently.

Applied once, idempotent; the pinned versions are in pyproject.toml.
"""

from __future__ import annotations

from pgproof.core.statement import ident, literal

_APPLIED = False
# Role specifications PostgreSQL reads as keywords, not as role names.
_ROLE_KEYWORDS = {"public", "current_user", "session_user", "current_role"}


def apply() -> None:
    global _APPLIED
    if _APPLIED:
        return
    from schemainspect import inspected
    from schemainspect.pg import obj

    obj.InspectedEnum.quoted_elements = property(
        lambda self: ", ".join(literal(e) for e in self.elements))
    obj.InspectedEnum.change_statements = _enum_changes
    inspected.ColumnInfo.change_enum_statement = _enum_recast
    original_policy = obj.InspectedRowPolicy.create_statement.fget

    def policy_create(self) -> str:
        roles = self.roles
        try:
            self.roles = [_role(r) for r in roles]
            return original_policy(self)
        finally:
            self.roles = roles

    obj.InspectedRowPolicy.create_statement = property(policy_create)
    obj.InspectedCollation.create_statement = property(lambda self: (
        f"create collation if not exists {self.quoted_full_name} "
        f"(provider = {literal(self.provider)}, locale = {literal(self.locale)});"))
    original_extension = obj.InspectedExtension.create_statement.fget

    def extension_create(self) -> str:
        version = self.version
        if version is None:
            return original_extension(self)
        return (f"create extension if not exists {self.quoted_name} with schema "
                f"{self.quoted_schema} version {literal(version)};")

    obj.InspectedExtension.create_statement = property(extension_create)
    obj.InspectedExtension.update_statement = property(lambda self: (
        f"alter extension {self.quoted_name} update to {literal(self.version)};" if self.version else None))
    _APPLIED = True


def _role(name: str) -> str:
    return name if name in _ROLE_KEYWORDS else ident(name)


def _enum_changes(self, new) -> list[str]:
    """schemainspect's ADD VALUE statements, with the labels as literals."""
    if not self.can_be_changed_to(new):
        raise ValueError
    old, statements, previous = self.elements, [], None
    for label in new.elements:
        if label not in old:
            where = f"after {literal(previous)}" if previous else f"before {literal(old[0])}"
            statements.append(f"alter type {self.quoted_full_name} add value {literal(label)} {where};")
        previous = label
    return statements


def _enum_recast(self, table_name: str) -> str:
    """schemainspect's recast of a column to its re-created enum, the column quoted
    (migra writes its name raw, in the ALTER COLUMN and in the USING expression)."""
    if not self.is_enum:
        raise ValueError
    column, enum = ident(self.name), self.enum.quoted_full_name
    return f"alter table {table_name} alter column {column} type {enum} using {column}::text::{enum};"
