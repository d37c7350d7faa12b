"""COMMENT ON statements: migra emits none at all.

Comments are diffed from pg_description by the catalog check. Objects that a statement
drops and creates again (a view migra replaces by dropping it, an index dropped with its
constraint, an enum migra renames away) lose their comments, so the desired comments of
those objects, and of their columns, are emitted again after everything else.
"""

from __future__ import annotations

from pgproof.read.catalog import COMMENT, Catalog, CatalogObject
from pgproof.core.statement import COMMENTS, Statement, literal
from pgproof.diff.gaps import touched
from pgproof.diff.gaps.script import Script


def emit(script: Script) -> None:
    """COMMENT ON for every comment that differs or that a re-creation loses; epilogue."""
    wanted: dict[str, str | None] = {}
    for difference in script.of_kind(COMMENT):
        script.claim(difference)
        if difference.desired is not None:
            wanted[difference.key] = difference.desired["text"]
        elif _exists(difference.parent, script.desired):
            wanted[difference.key] = None  # the object stays, its comment goes
        # else the object itself goes, and its comment with it
    for note in _comments_of_recreated(script):
        wanted.setdefault(note.key, note.definition["text"])
    script.add(script.epilogue, *(
        Statement(f"COMMENT ON {target} IS {literal(text)}", origin=COMMENTS)
        for target, text in sorted(wanted.items())
    ))


def _exists(owner: str | None, desired: Catalog) -> bool:
    if not owner:
        return False
    kind, _, key = owner.partition(" ")
    return desired.get(kind, key) is not None


def _recreated(script: Script) -> set[str]:
    """`kind key` of desired objects that some statement drops or creates anew."""
    by_function_name: dict[str, list[str]] = {}
    for obj in script.desired.of_kind("function"):
        by_function_name.setdefault(touched.function_key(obj.key), []).append(obj.key)
    owners: set[str] = set()
    for touch in script.all_touches():
        if touch.action not in (touched.DROP, touched.CREATE):
            continue
        keys = by_function_name.get(touch.key, []) if touch.kind == "function" else [touch.key]
        for key in keys:
            exists_before = script.actual.get(touch.kind, key) is not None
            if script.desired.get(touch.kind, key) is not None and (
                touch.action == touched.DROP or exists_before
            ):
                owners.add(f"{touch.kind} {key}")
    return owners | script.recreated


def _comments_of_recreated(script: Script) -> list[CatalogObject]:
    owners = _recreated(script)
    if not owners:
        return []
    owner_keys = {owner.split(" ", 1)[1] for owner in owners}
    result = []
    for note in script.desired.of_kind(COMMENT):
        owner_kind, _, owner_key = (note.parent or "").partition(" ")
        owner = script.desired.get(owner_kind, owner_key)
        if note.parent in owners or (owner is not None and owner.parent in owner_keys):
            result.append(note)
    return result
