"""`--scratch auto` picks a provider of the target's major that offers every extension the
schema creates (a schema with pgcrypto: Debian's PostgreSQL 15 with contrib, where the
wheels lack it); where none does, one sentence names what is missing, exit 1, before any
server starts. The same check for a --scratch the user chose."""

from __future__ import annotations

from pathlib import Path

import pytest

from pgproof.scratch import auto

SCHEMA = ("CREATE EXTENSION IF NOT EXISTS pgcrypto;\n"
          "CREATE TABLE secrets (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), digest bytea);\n")
DEBIAN_15_PGCRYPTO = Path("/usr/share/postgresql/15/extension/pgcrypto.control")


def one_sentence(err: str) -> str:
    """The error's sentence, checked to be one: one line, one final period."""
    assert err.startswith("Error: ") and err.endswith(".\n") and err.count("\n") == 1, err
    sentence = err[len("Error: "):-1]
    assert ". " not in sentence.replace("docs/majors.md", ""), sentence
    return sentence


@pytest.fixture
def schema(tmp_path) -> Path:
    path = tmp_path / "schema.sql"
    path.write_text(SCHEMA)
    return path


def test_auto_finds_a_scratch_with_the_schemas_extension(pgproof, empty_db, pg_major, schema, monkeypatch):
    monkeypatch.setenv("PGPROOF_SCRATCH", "auto")
    offering = [o for o in auto.offers(pg_major) if o.choice and "pgcrypto" in o.extensions]
    if pg_major == 15:
        if not DEBIAN_15_PGCRYPTO.is_file():
            pytest.skip(f"{DEBIAN_15_PGCRYPTO} is not installed (apt-get install postgresql-15)")
        assert auto.choose(15, {"pgcrypto"}).kind == "local"  # no wheel of 15: Debian's, with contrib
    if not offering:
        pytest.skip(f"nothing here offers pgcrypto for PostgreSQL {pg_major} (the next test covers it)")
    result = pgproof("diff", "--db", empty_db, "--schema", str(schema))
    assert result.code == 0, result.err
    assert "pgcrypto" in result.out and "gen_random_uuid()" in result.out


@pytest.mark.parametrize("cache", ["off", "on"])
def test_auto_names_what_is_missing_where_nothing_offers_it(pgproof, empty_db, pg_major, schema, monkeypatch,
                                                            tmp_path, cache):
    offers = auto.offers(pg_major)
    if any(o.choice and "pgcrypto" in o.extensions for o in offers):
        pytest.skip(f"a scratch of PostgreSQL {pg_major} here offers pgcrypto (the test before covers it)")
    monkeypatch.setenv("PGPROOF_SCRATCH", "auto")
    monkeypatch.setenv("PGPROOF_CACHE", cache)
    monkeypatch.setenv("PGPROOF_CACHE_DIR", str(tmp_path / "cache"))
    for command in (["diff"], ["plan", "--out", str(tmp_path / "plan.sql")]):
        result = pgproof(*command, "--db", empty_db, "--schema", str(schema))
        assert result.code == 1, result.err
        sentence = one_sentence(result.err)
        assert sentence.startswith(f"the schema creates the extension pgcrypto, which no scratch server of "
                                   f"PostgreSQL {pg_major} here offers (")
        for offer in offers:
            assert offer.label in sentence
            assert (f"{offer.label} lacks pgcrypto" if offer.choice else f"{offer.label}: {offer.missing}") in sentence
        assert f"apt-get install postgresql-{pg_major} postgresql-{pg_major}-pgvector" in sentence
        assert "--scratch local:BINDIR" in sentence and "--scratch docker" in sentence
    assert not (tmp_path / "cache").exists() or not any((tmp_path / "cache").rglob("postmaster.pid"))


def test_a_chosen_scratch_without_the_extension_is_refused(pgproof, empty_db, pg_major, schema, monkeypatch):
    from pgproof.scratch import installation, offers

    wheel = installation.wheel(pg_major) or installation.wheel(18)
    if "pgcrypto" in offers.offered(wheel):
        pytest.skip(f"{wheel.label} offers pgcrypto")
    monkeypatch.setenv("PGPROOF_SCRATCH", "embedded")
    result = pgproof("diff", "--db", empty_db, "--schema", str(schema))
    assert result.code == 1, result.err
    assert one_sentence(result.err).startswith(
        f"--scratch embedded ({wheel.label}) does not offer the extension pgcrypto that the schema creates; "
        f"install pgcrypto with apt-get install postgresql-{wheel.major}")
