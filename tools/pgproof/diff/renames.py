"""Rename directives: schema.sql says an object was renamed, so the plan renames it
(ALTER ... RENAME) instead of dropping the old one and creating the new one, and every
value is kept.

A directive is a comment line of the schema file, so the file still loads as it is:

    -- pgproof: rename column public.segments.speaker from speaker_label
    -- pgproof: rename table public.clips from videos
    -- pgproof: rename index public.idx_clips_video from idx_videos_video
    -- pgproof: rename constraint public.clips.clips_pkey from videos_pkey
    -- pgproof: rename view public.clip_titles from video_titles

The first name is the new one, as the schema declares it (unqualified means public);
the second is the former name of the same object, in the same schema (and table). Once
the target has the new name the directive does nothing, so it can stay in the file until
every database has been planned. A directive naming something the target has under
neither name (while it has the table it belongs to) is an error at file:line.

With a directive that applies, the diff is: the renames, then the diff computed on a
scratch copy of the target where the renames already ran. The plan's proof runs the
whole of it on another copy, as for every plan; the rollback renames back.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from pgproof.read import catalog
from pgproof.diff import engine as diff
from pgproof.diff import conversions, copies
from pgproof.read.catalog import Catalog
from pgproof.read.desired import SchemaFile
from pgproof.diff.engine import Diff, Side
from pgproof.core.errors import SchemaError
from pgproof.core.kinds import FACTS, Kind, where
from pgproof.core.statement import CATALOG, Statement, ident, qualified

KINDS = where(renamable=True)
KEEP_DIRECTIVE = "drop-without-archive"  # plan/keep.py reads it
_DIRECTIVE = re.compile(r"^\s*--\s*pgproof:\s*(.*?)\s*$")
_RENAME = re.compile(r"^rename\s+(\w+)\s+(\S+)\s+from\s+(\S+)$", re.I)
_PART = re.compile(r'"((?:[^"]|"")+)"|([^".]+)')
# How many dotted parts the new name has when fully qualified.
_PARTS = {kind: FACTS[kind].key_parts for kind in KINDS}


@dataclass(frozen=True)
class Rename:
    kind: str  # table, view, column, constraint or index
    parent: str | None  # the table (new name) of a column or constraint
    schema: str
    new: str  # the new name (unquoted)
    old: str  # the former name (unquoted)
    location: str  # file:line of the directive

    def key(self, name: str, parent: str | None = None) -> str:
        """The catalog key of this object under `name` (its table under `parent`)."""
        owner = parent or self.parent
        return f"{owner}.{ident(name)}" if owner else qualified(self.schema, name)

    @property
    def label(self) -> str:
        return f"rename {self.kind} {self.key(self.new)} from {self.old}"



def reverse(applied: list[Rename]) -> list[Rename]:
    """The directives of the way back (the rollback): each old name from its new one,
    with columns and constraints named by their table's former name."""
    former = {r.key(r.new): r.key(r.old) for r in applied if r.kind == Kind.TABLE}
    return [replace(r, new=r.old, old=r.new, parent=former.get(r.parent, r.parent) if r.parent else None)
            for r in applied]


def read(files: list[SchemaFile]) -> list[Rename]:
    """Every rename directive of the schema files, in order; a malformed one is an error
    at file:line."""
    found = []
    for file in files:
        for number, line in enumerate(file.text.splitlines(), start=1):
            directive = _DIRECTIVE.match(line)
            if (directive and not directive.group(1).lower().startswith(KEEP_DIRECTIVE)
                    and not conversions.is_directive(directive.group(1))):
                found.append(_parse(directive.group(1), f"{file.display}:{number}"))
    return found


def _parse(text: str, location: str) -> Rename:
    match = _RENAME.match(text)
    kind = match.group(1).lower() if match else None
    if not match or kind not in KINDS:
        raise SchemaError(
            f"{location}: '-- pgproof: {text}' is not a directive pgproof knows; write "
            "'-- pgproof: rename table|view|column|constraint|index NEW_NAME from OLD_NAME' "
            "or '-- pgproof: drop-without-archive SCHEMA.TABLE[.COLUMN]' "
            f"or '{conversions.FORM}'."
        )
    parts = _names(match.group(2))
    old = _names(match.group(3))
    wanted = _PARTS[kind]  # type: ignore[index]  # a StrEnum key, found by its str value
    if len(parts) == wanted - 1:
        parts = ["public", *parts]
    if len(parts) != wanted or len(old) != 1 or not all(parts):
        raise SchemaError(
            f"{location}: rename {kind} needs the new name as "
            f"{'schema.table.name' if wanted == 3 else 'schema.name'} and the former name alone, "
            f"like 'rename {kind} {'public.segments.speaker' if wanted == 3 else 'public.clips'} from "
            f"{'speaker_label' if wanted == 3 else 'videos'}'."
        )
    parent = qualified(*parts[:2]) if wanted == 3 else None
    return Rename(kind, parent, parts[0], parts[-1], old[0], location)


def _names(text: str) -> list[str]:
    names = []
    for quoted, plain in _PART.findall(text):
        names.append(quoted.replace('""', '"') if quoted else plain.lower())
    return names


def applicable(renames: list[Rename], desired: Catalog, actual: Catalog) -> list[Rename]:
    """The directives that rename something in the target (tables and views first);
    no-ops are left out, and a directive that cannot be right is an error at file:line."""
    order = sorted(renames, key=lambda r: 0 if r.kind in (Kind.TABLE, Kind.VIEW) else 1)
    former_table: dict[str, str] = {}  # new table key -> its key in the target
    result = []
    for rename in order:
        new_key = rename.key(rename.new)
        if desired.get(rename.kind, new_key) is None:
            raise SchemaError(
                f"{rename.location}: {rename.label}: the schema declares no {rename.kind} {new_key}; "
                "fix the directive's new name or remove the directive."
            )
        parent = former_table.get(rename.parent, rename.parent) if rename.parent else None
        has_new = actual.get(rename.kind, rename.key(rename.new, parent)) is not None
        has_old = actual.get(rename.kind, rename.key(rename.old, parent)) is not None
        if has_new and has_old:
            raise SchemaError(
                f"{rename.location}: {rename.label}: the target has both {rename.old} and {rename.new}; "
                "drop one of them in the target, or remove the directive."
            )
        if has_old:
            result.append(rename)
            if rename.kind == Kind.TABLE:
                former_table[new_key] = rename.key(rename.old)
        elif not has_new and _owner_exists(rename, parent, desired, actual):
            raise SchemaError(
                f"{rename.location}: {rename.label}: the target has this {rename.kind} under neither "
                f"name ({rename.old} nor {rename.new}); fix the former name, or remove the directive."
            )
    return result


def _owner_exists(rename: Rename, parent: str | None, desired: Catalog, actual: Catalog) -> bool:
    """Whether the target has what the object belongs to, so that it should have the
    object too: its table, or any table or view at all for a table or view (an empty
    target simply gets the object created)."""
    if rename.kind in (Kind.COLUMN, Kind.CONSTRAINT):
        return actual.get(Kind.TABLE, parent) is not None or actual.get(Kind.VIEW, parent) is not None
    if rename.kind == Kind.INDEX:
        index = desired.get(Kind.INDEX, rename.key(rename.new))
        return index is not None and actual.get(Kind.TABLE, index.parent) is not None
    return bool(actual.of_kind(Kind.TABLE) or actual.of_kind(Kind.VIEW))


def statements(renames: list[Rename], actual: Catalog) -> list[Statement]:
    """ALTER ... RENAME for each applicable directive (tables and views first)."""
    result = []
    for r in renames:
        if r.kind == Kind.TABLE:
            sql = f"ALTER TABLE {r.key(r.old)} RENAME TO {ident(r.new)}"
        elif r.kind == Kind.VIEW:
            view = actual.get(Kind.VIEW, r.key(r.old))
            what = "MATERIALIZED VIEW" if view and view.materialized else "VIEW"
            sql = f"ALTER {what} {r.key(r.old)} RENAME TO {ident(r.new)}"
        elif r.kind == Kind.INDEX:
            sql = f"ALTER INDEX {r.key(r.old)} RENAME TO {ident(r.new)}"
        elif r.kind == Kind.COLUMN:
            sql = f"ALTER TABLE {r.parent} RENAME COLUMN {ident(r.old)} TO {ident(r.new)}"
        else:
            sql = f"ALTER TABLE {r.parent} RENAME CONSTRAINT {ident(r.old)} TO {ident(r.new)}"
        result.append(Statement(sql, origin=CATALOG))
    return result


def compare_with(both, renames: list[Rename], cast_url: diff.Casts = None) -> Renamed:
    """`diff.compare` of the two sides (`sides.Sides`), with the renames the directives
    call for done first (see module)."""
    target, desired = both.target, both.desired
    converted = conversions.check(conversions.read(both.files), desired.catalog)
    todo = applicable(renames, desired.catalog, target.catalog) if renames else []
    if not todo:
        return Renamed(diff.compare(target, desired, cast_url, converted), [], None)
    first = statements(todo, target.catalog)
    with copies.copy_of(both.target_url, both.server, both.exclusions, target.catalog, both.cache) as copy_url:
        copies.run_on_copy(copy_url, first, both.server)
        renamed = diff.read(copy_url, both.exclusions, role="scratch")
    rest = diff.compare(renamed, desired, cast_url, converted)
    result = Diff(
        statements=first + rest.statements, differences=catalog.compare(desired.catalog, target.catalog),
        desired=desired.catalog, actual=target.catalog, notes=rest.notes, gaps=rest.gaps,
    )
    return Renamed(result, todo, renamed)


def way_back(found: Renamed, desired: diff.Side, target: diff.Side, cast_url: str | None = None) -> Diff:
    """The rollback's diff: from the desired schema back to the target, the renames
    undone last (the rest is computed against the target as renamed)."""
    if not found.applied:
        return diff.compare(desired, target, cast_url)
    rest = diff.compare(desired, found.renamed_target, cast_url)
    back = statements(reverse(found.applied), found.renamed_target.catalog)
    return replace(rest, statements=rest.statements + back)


@dataclass(frozen=True)
class Renamed:
    diff: Diff
    applied: list[Rename]  # the directives the diff renames
    renamed_target: Side | None  # what the target reads as after them
