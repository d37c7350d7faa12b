"""Objects of kinds pgproof does not compare, so that no answer is a wrong "no drift".

pgproof compares the kinds of `read.catalog` (and migra what it inspects). Objects of
any other kind (publications, foreign servers, casts, ...: `UNCOMPARED_KINDS`) are
listed by `catalog/uncompared.sql` on both sides; pgproof cannot know whether two of
them are equal, so any such object, on either side, is reported by kind and count and
makes `drift` exit 2, unless the user names its kind in `ignore_kinds`.
"""

from __future__ import annotations

from dataclasses import dataclass

from pgproof.core.exclusions import UNCOMPARED_KINDS, Exclusions

_QUERY = "catalog/uncompared.sql"
IGNORE_SETTING = "ignore_kinds"
NOTE_START = "not compared: "  # how the note begins (the CLI tells it from other notes)


def read(cur, exclusions: Exclusions) -> dict[str, tuple[str, ...]]:
    """kind -> names of its objects in the database of `cur`, ignored kinds and excluded
    schemas and objects left out."""
    from importlib import resources

    query = resources.files("pgproof.read").joinpath(_QUERY).read_text(encoding="utf-8")
    cur.execute(query)
    found: dict[str, list[str]] = {}
    for kind, schema, name in cur.fetchall():
        if kind in exclusions.ignored_kinds:
            continue
        if schema and (exclusions.matches(schema) or exclusions.matches(schema, name)):
            continue
        found.setdefault(kind, []).append(f"{schema}.{name}" if schema else name)
    return {kind: tuple(names) for kind, names in found.items()}


@dataclass(frozen=True)
class NotCompared:
    """What each side holds of the kinds pgproof does not compare."""

    target: dict[str, tuple[str, ...]]
    desired: dict[str, tuple[str, ...]]

    def __bool__(self) -> bool:
        return bool(self.target or self.desired)

    def kinds(self) -> list[str]:
        return [k for k in UNCOMPARED_KINDS if k in self.target or k in self.desired]

    def summary(self) -> str:
        """'2 publications, 1 cast' (the larger count of the two sides per kind)."""
        return ", ".join(_count(kind, max(len(self.target.get(kind, ())), len(self.desired.get(kind, ()))))
                         for kind in self.kinds())

    def note(self) -> str:
        """One sentence for people: what is not compared, on which side, and the way out."""
        sides = ([f"{_list(self.target)} on the target"] if self.target else []) + (
            [f"{_list(self.desired)} in the desired schema"] if self.desired else [])
        kinds = ", ".join(f'"{k}"' for k in self.kinds())
        return (
            f"{NOTE_START}{'; '.join(sides)}: pgproof cannot tell whether they match the "
            f"schema, so drift exits 2; to accept that, add {IGNORE_SETTING} = [{kinds}] to "
            "[tool.pgproof] in pyproject.toml."
        )

    def as_dict(self) -> dict:
        return {
            "kinds": self.kinds(),
            "target": {kind: list(names) for kind, names in self.target.items()},
            "desired": {kind: list(names) for kind, names in self.desired.items()},
        }


def _list(found: dict[str, tuple[str, ...]]) -> str:
    return ", ".join(_count(kind, len(found[kind])) for kind in UNCOMPARED_KINDS if kind in found)


def _count(kind: str, number: int) -> str:
    return f"{number} {kind if number == 1 else UNCOMPARED_KINDS[kind]}"
