"""Copy a target's schema (never its rows) into a scratch database with pg_dump and
pg_restore of a fitting installation.

pg_dump reads servers up to its own major, so the tools are the scratch server's own
when it can, else those of exactly the scratch server's major, else the newest
installed. A pg_restore newer than the scratch server would send settings that server
does not know (18's ``SET transaction_timeout`` on 15), and a target of another major can
carry column options the scratch server refuses (this machine's PostgreSQL 15 gives every
column a ``pg_attver`` option), so across majors it writes a script instead, from which
those settings, column options other than PostgreSQL's own and psql's meta-commands are
left out, and the script runs in one transaction. Neither is compared by the catalog
check. Every failure says which tool failed on which side, with the server's own words.
"""

from __future__ import annotations

import os
import re
import subprocess
import tempfile
from collections.abc import Sequence

import psycopg2

from pgproof.core import db
from pgproof.core.errors import DiffError
from pgproof.ledger.own_schema import FORMER_SCHEMA, SCHEMA
from pgproof.scratch import ScratchServer
from pgproof.scratch import installation as installations
from pgproof.scratch.installation import Installation
from pgproof.scratch.sandbox import LOADER

READ_ONLY_SECTION = "docs/ci.md, 'A read-only role'"
_SET = re.compile(r"^SET\s+(\w+)\s*=", re.IGNORECASE)
_SET_CONFIG = re.compile(r"^SELECT pg_catalog\.set_config\('(\w+)'", re.IGNORECASE)
_COLUMN_OPTIONS = re.compile(r"^(ALTER TABLE (?:ONLY )?.+ ALTER COLUMN .+ SET )\((.*)\);$")
# The column options (attoptions) PostgreSQL itself defines, in every supported major.
CORE_COLUMN_OPTIONS = {"n_distinct", "n_distinct_inherited"}


def copy_schema(target_url: str, copy_url: str, server: ScratchServer) -> None:
    target_major = db.probe(target_url).major
    tools = installations.for_tools(server.version.major, target_major, server.installation)
    with tempfile.TemporaryDirectory(prefix="pgproof-dump-") as folder:
        dump = os.path.join(folder, "schema.dump")
        # pgproof's own schema is never managed nor compared; left out of the dump, it
        # needs no privilege of a read-only role (pg_dump locks every table it dumps).
        failed = _run(tools, "pg_dump", target_url, "--schema-only", "--no-owner", "--no-privileges",
                      f"--exclude-schema={SCHEMA}", f"--exclude-schema={FORMER_SCHEMA}",
                      "--format=custom", f"--file={dump}")
        if failed:
            hint = (f"the target role needs SELECT on every table and sequence ({READ_ONLY_SECTION})"
                    if "permission denied" in failed else "no plan was written; check that the target is reachable")
            raise DiffError(f"pg_dump of {tools.label} failed reading the target's schema: {failed}; {hint}.")
        use_list: list[str] = []
        if server.loader:  # the extensions by the superuser, the rest as the loader
            failed, rest = _extensions_first(tools, dump, copy_url)
            listed = os.path.join(folder, "loader.list")
            with open(listed, "w", encoding="utf-8") as handle:
                handle.write("\n".join(rest) + "\n")
            use_list = [f"--use-list={listed}"]
        if failed:
            pass  # said below
        elif tools.major == server.version.major == target_major:
            # Not --single-transaction: PostgreSQL creates thousands of objects in one
            # transaction in more than linear time (3,000 tables: 2x slower), and the copy
            # is a scratch database, dropped when the restore fails.
            failed = _run(tools, "pg_restore", server.as_loader(copy_url), "--no-owner", "--no-privileges",
                          "--exit-on-error", *use_list, dump)
        else:
            failed = _restore_as_script(tools, dump, server.as_loader(copy_url), use_list)
    if failed:
        raise DiffError(
            f"pg_restore of {tools.label} failed loading the target's schema into the scratch server "
            f"(PostgreSQL {server.version}): {failed}; no plan was written (the scratch server needs every "
            "extension the target uses)."
        )


def _extensions_first(tools: Installation, dump: str, copy_url: str) -> tuple[str | None, list[str]]:
    """Create the dump's extensions (and their comments) as the superuser of the copy,
    with each schema they name made first and given to the loader; return the failure (or
    None) and the table of contents of everything else, which the loader restores. The
    restore itself runs as the loader: what the target holds is no more trusted than a
    schema file."""
    listed = subprocess.run([str(tools.tool("pg_restore")), "--list", dump],
                            capture_output=True, text=True, timeout=600, check=False)
    if listed.returncode != 0:
        return " ".join(listed.stderr.split())[-300:] or "no output", []
    entries = [line for line in listed.stdout.splitlines() if line and not line.startswith(";")]
    superuser = [line for line in entries if _EXTENSION_ENTRY.search(line)]
    if not superuser:
        return None, entries
    with tempfile.NamedTemporaryFile("w", suffix=".list", encoding="utf-8") as handle:
        handle.write("\n".join(superuser) + "\n")
        handle.flush()
        done = subprocess.run([str(tools.tool("pg_restore")), "--no-owner", "--no-privileges",
                               f"--use-list={handle.name}", "--file=-", dump],
                              capture_output=True, text=True, timeout=600, check=False)
    if done.returncode != 0:
        return " ".join(done.stderr.split())[-300:] or "no output", []
    schemas = sorted({name for name in _WITH_SCHEMA.findall(done.stdout) if name != "public"})
    with db.connection(copy_url, role="scratch") as conn:
        with conn.cursor() as cur:
            cur.execute("SELECT name FROM pg_settings")
            known = {row[0] for row in cur.fetchall()}
            try:
                for schema in schemas:
                    cur.execute(f"CREATE SCHEMA IF NOT EXISTS {schema} AUTHORIZATION {LOADER}")
                cur.execute(readable_script(done.stdout, known))
            except psycopg2.Error as exc:
                return db.server_message(exc, copy_url), []
        conn.commit()
    made = {schema.strip('"') for schema in schemas}
    rest = [line for line in entries if line not in superuser and not _schema_made(line, made)]
    return None, rest


# `2; 3079 16385 EXTENSION - vector ` and `4012; 0 0 COMMENT - EXTENSION vector `
_EXTENSION_ENTRY = re.compile(r"^\d+; \d+ \d+ (EXTENSION - |COMMENT - EXTENSION )")
_WITH_SCHEMA = re.compile(r"^CREATE EXTENSION IF NOT EXISTS \S+ WITH SCHEMA (\S+?);$", re.MULTILINE)


def _schema_made(line: str, made: set[str]) -> bool:
    """Is `line` the table-of-contents entry of a schema made for an extension already?"""
    found = re.match(r"^\d+; \d+ \d+ SCHEMA - (\S+) ", line + " ")
    return bool(found and found.group(1) in made)


def _restore_as_script(tools: Installation, dump: str, copy_url: str, use_list: Sequence[str] = ()) -> str | None:
    """pg_restore into a script for an older server: drop what it cannot read, run it in
    one transaction. Returns the failure, or None."""
    done = subprocess.run(
        [str(tools.tool("pg_restore")), "--no-owner", "--no-privileges", *use_list, "--file=-", dump],
        capture_output=True, text=True, timeout=600, check=False,
    )
    if done.returncode != 0:
        return " ".join(done.stderr.split())[-300:] or "no output"
    with db.connection(copy_url, role="scratch") as conn:
        with conn.cursor() as cur:
            cur.execute("SELECT name FROM pg_settings")
            known = {row[0] for row in cur.fetchall()}
            try:
                cur.execute(readable_script(done.stdout, known))
            except psycopg2.Error as exc:
                return db.server_message(exc, copy_url)
        conn.commit()
    return None


def readable_script(script: str, known_settings: set[str]) -> str:
    """`script` without psql meta-commands (``\\restrict``), settings the server does not
    know, and column options that are not PostgreSQL's own."""
    kept = []
    for line in script.splitlines():
        if line.startswith("\\"):
            continue
        setting = _SET.match(line) or _SET_CONFIG.match(line)
        if setting and setting.group(1).lower() not in known_settings:
            continue
        options = _COLUMN_OPTIONS.match(line)
        if options:
            core = [o for o in options.group(2).split(", ") if o.split("=", 1)[0].strip() in CORE_COLUMN_OPTIONS]
            if not core:
                continue
            line = f"{options.group(1)}({', '.join(core)});"
        kept.append(line)
    return "\n".join(kept) + "\n"


def _run(tools: Installation, program: str, url: str, *args: str) -> str | None:
    """Run pg_dump/pg_restore against `url`; the password goes in the environment, never
    on the command line. Returns the failure (passwords removed), or None."""
    env = {**os.environ}
    password = db.password(url)
    if password:
        env["PGPASSWORD"] = password
    dsn = db.without_password(url)
    done = subprocess.run(
        [str(tools.tool(program)), f"--dbname={dsn}", *args],
        env=env, capture_output=True, text=True, timeout=600, check=False,
    )
    if done.returncode == 0:
        return None
    return db.scrub(" ".join(done.stderr.split())[-300:] or "no output", url)
