"""`--scratch auto` by extensions, table-driven: which provider `pick` chooses given what
each offers, and the one sentence when none offers everything. Fake offerings, no server."""

from __future__ import annotations

from pathlib import Path

import pytest

from pgproof.scratch import offers
from pgproof.scratch.auto import Choice, Offer, lacking_sentence, pick
from pgproof.scratch.installation import Installation

WHEEL18 = Installation(Path("/wheel/bin"), 18, "18.1", "wheel")
DEBIAN18 = Installation(Path("/usr/lib/postgresql/18/bin"), 18, "18.1", "local")
EMBEDDED = Choice("embedded", 18, WHEEL18)
LOCAL = Choice("local", 18, DEBIAN18)
DOCKER = Choice("docker", 18)
BASE = frozenset({"plpgsql", "vector"})


def embedded(*extra: str) -> Offer:
    return Offer(EMBEDDED, "", BASE | set(extra), "embedded PostgreSQL 18.1")


def local(*extra: str) -> Offer:
    return Offer(LOCAL, "", BASE | set(extra), f"local {DEBIAN18.label}")


def docker() -> Offer:
    return Offer(DOCKER, "", offers.DOCKER_OFFERS, "docker pgvector/pgvector:pg18")


NO_EMBEDDED = Offer(None, "no wheel of PostgreSQL 18", frozenset(), "embedded")
NO_LOCAL = Offer(None, "no PostgreSQL 18 installed", frozenset(), "local")
NO_DOCKER = Offer(None, "no Docker engine", frozenset(), "docker")


@pytest.mark.parametrize(("case", "offered", "needed", "chosen"), [
    ("nothing needed: the first with a server", [embedded(), local(), docker()], set(), EMBEDDED),
    ("nothing needed, no wheel", [NO_EMBEDDED, local(), docker()], set(), LOCAL),
    ("vector: the wheel has it", [embedded(), local("pgcrypto")], {"vector"}, EMBEDDED),
    ("pgcrypto: the wheel lacks it, Debian has it", [embedded("citext"), local("pgcrypto"), NO_DOCKER],
     {"pgcrypto"}, LOCAL),
    ("two: only docker has both", [embedded("pgcrypto"), local("citext"), docker()],
     {"pgcrypto", "citext", "vector"}, DOCKER),
    ("a non-contrib extension: docker lacks it too", [embedded(), local(), docker()], {"postgis"}, None),
    ("local has it but no wheel", [NO_EMBEDDED, local("postgis"), docker()], {"postgis"}, LOCAL),
    ("nothing installed", [NO_EMBEDDED, NO_LOCAL, NO_DOCKER], {"pgcrypto"}, None),
    ("nothing installed, nothing needed", [NO_EMBEDDED, NO_LOCAL, NO_DOCKER], set(), None),
    ("order wins among those that offer", [embedded("pgcrypto"), local("pgcrypto")], {"pgcrypto"}, EMBEDDED),
])
def test_pick(case, offered, needed, chosen):
    assert pick(offered, needed) == chosen, case


def _one_sentence(text: str) -> bool:
    return "\n" not in text and text.endswith(".") and ". " not in text.replace("docs/majors.md", "")


@pytest.mark.parametrize(("offered", "needed", "says"), [
    ([embedded(), NO_LOCAL, NO_DOCKER], {"pgcrypto"}, [
        "the schema creates the extension pgcrypto, which no scratch server of PostgreSQL 18 here offers",
        "embedded PostgreSQL 18.1 lacks pgcrypto", "local: no PostgreSQL 18 installed", "docker: no Docker engine",
        "apt-get install postgresql-18 postgresql-18-pgvector", "--scratch local:BINDIR", "--scratch docker",
        "a postgresql:// URL"]),
    ([embedded("pgcrypto"), local(), docker()], {"pgcrypto", "postgis"}, [
        "the extensions pgcrypto and postgis", "embedded PostgreSQL 18.1 lacks postgis",
        f"local {DEBIAN18.label} lacks pgcrypto and postgis", "docker pgvector/pgvector:pg18 lacks postgis",
        "install postgis with apt-get install postgresql-18-pgvector postgresql-18-postgis-3"]),
])
def test_the_sentence_names_what_is_missing_and_where(offered, needed, says):
    sentence = lacking_sentence(18, needed, offered)
    for part in says:
        assert part in sentence, (part, sentence)
    assert _one_sentence(sentence), sentence


@pytest.mark.parametrize(("needed", "packages"), [
    ({"pgcrypto"}, ["postgresql-15", "postgresql-15-pgvector"]),
    ({"uuid-ossp", "citext"}, ["postgresql-15", "postgresql-15-pgvector"]),
    ({"vector"}, ["postgresql-15-pgvector"]),
    ({"postgis", "pg_trgm"}, ["postgresql-15", "postgresql-15-pgvector", "postgresql-15-postgis-3"]),
    ({"pg_partman"}, ["postgresql-15-pg_partman", "postgresql-15-pgvector"]),
])
def test_debian_packages(needed, packages):
    assert offers.debian_packages(15, needed) == packages


def test_the_refusal_of_a_chosen_scratch_is_one_sentence():
    sentence = offers.refusal("embedded", WHEEL18.label, ["pgcrypto", "uuid-ossp"], 18)
    assert sentence.startswith("--scratch embedded (PostgreSQL 18.1 in /wheel/bin) does not offer the extensions "
                               "pgcrypto and uuid-ossp that the schema creates; install pgcrypto and uuid-ossp with")
    assert _one_sentence(sentence)


def test_an_installation_offers_its_control_files(tmp_path):
    (tmp_path / "bin").mkdir()
    (tmp_path / "share" / "postgresql" / "extension").mkdir(parents=True)
    for name in ("pgcrypto.control", "pgcrypto--1.3.sql", "vector.control"):
        (tmp_path / "share" / "postgresql" / "extension" / name).write_text("")
    found = Installation(tmp_path / "bin", 18, "18.1", "local")
    assert offers.offered(found) == {"pgcrypto", "vector"}
