"""The read-only role of docs/ci.md, with exactly its GRANTs, after an apply: plan,
drift, fixes status and history work; apply and fixes run stop in one sentence."""

from __future__ import annotations

import re

from conftest import REPO, run_sql
from pgproof.core import db

CI_DOC = (REPO / "docs" / "ci.md").read_text()
ALLOW = "CONSTRAINT_VALIDATION,DATA_FIX,INDEX_BUILD"


def readme_grants(role: str, dbname: str) -> list[str]:
    section = CI_DOC[CI_DOC.index("## A read-only role"):]
    sql = section[section.index("```sql") + 6: section.index("```", section.index("```sql") + 6)]
    statements = [s.strip() for s in re.sub(r"--[^\n]*", "", sql).split(";") if s.strip()]
    return [s.replace("pgproof_reader", role).replace("DATABASE app", f'DATABASE "{dbname}"')
            .replace("PASSWORD '...'", "") for s in statements]


def one_error(result) -> str:
    lines = [line for line in result.err.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("Error: ") and "Traceback" not in result.err, result.err
    return lines[0]


def test_the_documented_read_only_role_after_an_apply(pgproof, legacy_db, tmp_path):
    dbname = db.database_name(legacy_db)
    role = f"pgd_ro_{dbname[-8:]}"
    assert pgproof("plan", "--db", legacy_db, "--out", str(tmp_path / "plan.sql")).code == 0
    assert pgproof("apply", str(tmp_path / "plan.sql"), "--db", legacy_db, "--yes", "--allow-hazards", ALLOW).code == 0
    grants = readme_grants(role, dbname)
    assert any("pgproof.apply_history" in g for g in grants) and len(grants) == 9
    before_history = [g for g in grants if "SCHEMA pgproof" not in g and "pgproof.apply_history" not in g]
    run_sql(legacy_db, f"DROP ROLE IF EXISTS {role}; " + "; ".join(before_history))
    reader = legacy_db.replace("postgres@", f"{role}@")

    missing = pgproof("history", "--db", reader)  # the history GRANTs not run yet
    assert missing.code == 1 and f"GRANT SELECT ON pgproof.apply_history TO {role}" in one_error(missing)

    run_sql(legacy_db, "; ".join(g for g in grants if g not in before_history))
    assert pgproof("plan", "--db", reader, "--out", str(tmp_path / "again.sql")).code == 0
    assert pgproof("drift", "--db", reader).code == 0
    status = pgproof("fixes", "status", "--db", reader)
    assert status.code == 0 and "0001_remove_duplicate_segments" in status.out
    history = pgproof("history", "--db", reader)
    assert history.code == 0 and "succeeded" in history.out

    run = pgproof("fixes", "run", "--db", reader, "--yes")
    assert run.code == 1 and "cannot run data fixes as this role" in one_error(run)
    refused = pgproof("apply", str(tmp_path / "plan.sql"), "--db", reader, "--yes", "--allow-hazards", ALLOW)
    assert refused.code == 1 and "cannot apply with this role" in one_error(refused)
