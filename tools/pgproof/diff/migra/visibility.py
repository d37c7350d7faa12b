"""schemainspect sees every object, whoever owns it, so a read-only role can diff.

schemainspect's queries copy information_schema's privilege rules: a function's body
(`prosrc`) and its argument defaults are read only when the connected role can use the
owner's role (`pg_has_role(proowner, 'USAGE')`), and functions, constraints and NOT NULL
columns the role can neither use nor execute nor select from are left out. The catalogs
hold all of it for every role, and pgproof's own catalog check reads it; a read-only role
(README, "A read-only role") therefore saw every function of the application role with
an empty body, and migra wrote a CREATE OR REPLACE for each, which `guard` refused.

Patched here: in those queries the privilege test is `true`, before an inspector is
built, so migra reads what pgproof's catalog check reads. Applied once, idempotent; the
pinned versions are in pyproject.toml.
"""

from __future__ import annotations

import re
import threading

_APPLIED = False
# The privilege tests of information_schema that schemainspect's queries copy.
_PRIVILEGE_TEST = re.compile(
    r"pg_has_role\(\w+\.\w+, 'USAGE'::text\)"
    r"|has_function_privilege\(\w+\.\w+, 'EXECUTE'::text\)"
    r"|has_table_privilege\(\w+\.oid, '[A-Z, ]+'::text\)"
    r"|has_any_column_privilege\(\w+\.oid, '[A-Z, ]+'::text\)"
)
_QUERIES = ("FUNCTIONS_QUERY", "CONSTRAINTS_QUERY")
_LOCK = threading.Lock()


def apply() -> None:
    global _APPLIED
    with _LOCK:  # the proof's reads run on threads: the queries are patched once, by one
        if _APPLIED:
            return
        from schemainspect.pg import obj

        for name in _QUERIES:
            query = getattr(obj, name)
            patched, count = _PRIVILEGE_TEST.subn("true", query)
            if not count:  # another schemainspect than the pinned one: say so, never read less
                raise RuntimeError(f"schemainspect's {name} has no privilege test to lift; check the pin")
            setattr(obj, name, patched)
        _APPLIED = True
