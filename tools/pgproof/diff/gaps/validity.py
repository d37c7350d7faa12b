"""Constraints that are NOT VALID in the schema files.

migra adds a constraint with `NOT VALID` and then `VALIDATE CONSTRAINT`, whatever the
desired one says, so a constraint the schema declares NOT VALID (rows that break it are
tolerated) ends up valid, and the diff never converges. Its definition from
pg_get_constraintdef already ends in NOT VALID, so migra writes `NOT VALID not valid`.
For a desired NOT VALID constraint the VALIDATE is left out and the clause written once.
"""

from __future__ import annotations

import re

from pgproof.core.statement import CATALOG
from pgproof.diff.gaps import touched
from pgproof.diff.gaps.script import Script

_TWICE = re.compile(r"\s+NOT VALID\s+not valid\s*$", re.IGNORECASE)


def not_valid(script: Script) -> None:
    for position, touches in enumerate(script.touches):
        for touch in touches:
            if touch.kind != "constraint":
                continue
            constraint = script.desired.get("constraint", touch.key)
            if constraint is None or constraint.definition.get("validated", True):
                continue
            statement = script.migra[position]
            if touch.action == touched.ALTER and "validate constraint" in statement.sql.lower():
                script.removed.add(position)
            elif touch.action == touched.CREATE and _TWICE.search(statement.sql):
                script.replace(position, statement.with_(sql=_TWICE.sub(" NOT VALID", statement.sql), origin=CATALOG))
