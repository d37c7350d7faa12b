"""Rules (other than a view's _RETURN rule) and event triggers: migra sees neither.

The catalog check compares them (`catalog/rules.sql`, `catalog/event_triggers.sql`);
this module writes the statements. One that goes or changes is dropped in the prologue,
before migra changes what it reads; one that comes or changes is created in the
epilogue, once its table, view or function exists: a rule from the server's own
`pg_get_ruledef`, an event trigger from its catalog row. Whether one fires (ENABLE /
DISABLE, REPLICA, ALWAYS) follows with an ALTER. A rule whose table is dropped goes with
it; the rules of a view that statements drop and create again are created again.

Event triggers are superuser objects: creating, changing or dropping one needs a
superuser, which `notes` says.
"""

from __future__ import annotations

from pgproof.core.kinds import Kind
from pgproof.core.statement import CATALOG, Statement
from pgproof.diff.gaps import touched
from pgproof.diff.gaps.script import Script
from pgproof.read.catalog import Difference

RULE, EVENT_TRIGGER = Kind.RULE, Kind.EVENT_TRIGGER
_RULE_FIRES = {"D": "DISABLE RULE", "R": "ENABLE REPLICA RULE", "A": "ENABLE ALWAYS RULE"}
_TRIGGER_FIRES = {"D": "DISABLE", "R": "ENABLE REPLICA", "A": "ENABLE ALWAYS"}


def rules(script: Script) -> None:
    """DROP RULE in the prologue, CREATE RULE (and how it fires) in the epilogue."""
    creates: dict[str, list[Statement]] = {}
    for difference in script.of_kind(RULE):
        script.claim(difference)
        parent = difference.parent or ""
        name = difference.key.rsplit(".", 1)[-1]
        if _only_firing_changed(difference):
            assert difference.desired is not None  # only firing changed: both sides have it
            script.add(script.epilogue, *_rule_fires(parent, name, difference.desired["enabled"], always=True))
            continue
        if difference.actual is not None and not _parent_dropped(script, parent):
            script.add(script.prologue, Statement(f"DROP RULE {name} ON {parent}", origin=CATALOG))
        if difference.desired is not None:
            creates[difference.key] = _create_rule(parent, name, difference.desired)
    for obj in script.desired.of_kind(RULE):  # a view dropped and created again loses its rules
        if obj.key not in creates and _parent_recreated(script, obj.parent or "") and \
                script.actual.get(RULE, obj.key) is not None:
            creates[obj.key] = _create_rule(obj.parent or "", obj.key.rsplit(".", 1)[-1], obj.definition)
    for key in sorted(creates):
        script.add(script.epilogue, *creates[key])


def event_triggers(script: Script) -> None:
    """DROP EVENT TRIGGER in the prologue, CREATE EVENT TRIGGER in the epilogue."""
    for difference in script.of_kind(EVENT_TRIGGER):
        script.claim(difference)
        if _only_firing_changed(difference):
            assert difference.desired is not None  # only firing changed: both sides have it
            script.add(script.epilogue, *_trigger_fires(difference.key, difference.desired["enabled"], always=True))
            continue
        if difference.actual is not None:
            script.add(script.prologue, Statement(f"DROP EVENT TRIGGER {difference.key}", origin=CATALOG))
        if difference.desired is not None:
            trigger = script.desired.get(EVENT_TRIGGER, difference.key)
            assert trigger is not None  # the difference's desired side is in the desired catalog
            create = trigger.info["create"]
            script.add(script.epilogue, Statement(create, origin=CATALOG),
                       *_trigger_fires(difference.key, difference.desired["enabled"]))


def notes(differences: list[Difference]) -> list[str]:
    """Event triggers are superuser objects: say so for each that a statement changes."""
    return [
        f"event trigger {d.key} is {d.status} on the target; event triggers are superuser "
        "objects, so the statements that change it run only as a superuser."
        for d in differences if d.kind == EVENT_TRIGGER
    ]


def _only_firing_changed(difference: Difference) -> bool:
    return difference.status == "different" and difference.changed_fields == ["enabled"]


def _create_rule(parent: str, name: str, definition: dict) -> list[Statement]:
    create = definition["definition"].strip().rstrip(";")
    return [Statement(create, origin=CATALOG), *_rule_fires(parent, name, definition["enabled"])]


def _rule_fires(parent: str, name: str, enabled: str, *, always: bool = False) -> list[Statement]:
    if enabled == "O":
        return [Statement(f"ALTER TABLE {parent} ENABLE RULE {name}", origin=CATALOG)] if always else []
    return [Statement(f"ALTER TABLE {parent} {_RULE_FIRES[enabled]} {name}", origin=CATALOG)]


def _trigger_fires(key: str, enabled: str, *, always: bool = False) -> list[Statement]:
    if enabled == "O":
        return [Statement(f"ALTER EVENT TRIGGER {key} ENABLE", origin=CATALOG)] if always else []
    return [Statement(f"ALTER EVENT TRIGGER {key} {_TRIGGER_FIRES[enabled]}", origin=CATALOG)]


def _parent_dropped(script: Script, parent: str) -> bool:
    return bool(script.find("table", parent, touched.DROP) or script.find("view", parent, touched.DROP))


def _parent_recreated(script: Script, parent: str) -> bool:
    actions = {t.action for t in script.all_touches() if t.kind == "view" and t.key == parent}
    return touched.DROP in actions and bool(actions & {touched.CREATE, touched.REPLACE})

