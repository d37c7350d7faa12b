"""A legacy production database for `pgproof demo`: the schema as the old Alembic setup
left it (the desired schema without migration 002's constraint, plus alembic_version) and
dirty data: duplicate segments and NULL speaker labels, as a re-ingestion leaves them.

The scenario's schema and data fixes ship in the package (demo_project/, the transcript
application's schema/ and data_fixes/ as they were when the demo was written), so
`pgproof demo` runs anywhere: in an empty folder, in another team's project, from a wheel.
"""

from __future__ import annotations

from pathlib import Path

from pgproof.core import db
from pgproof.read import desired

PROJECT = Path(__file__).with_name("demo_project")
SCHEMA = PROJECT / "schema" / "schema.sql"
FIXES = PROJECT / "data_fixes"
# How the demo names its schema: the path inside its project, like a project's own.
SCHEMA_LABEL = "schema/schema.sql"

LEGACY_STEPS = """
ALTER TABLE segments DROP CONSTRAINT uq_segments_video_text;
CREATE TABLE alembic_version (version_num varchar(32) PRIMARY KEY);
INSERT INTO alembic_version VALUES ('001');
"""

# {rows} segments over 40 videos; every 10th row re-ingests an earlier segment of the same
# video (a duplicate), 1 in 7 have no speaker label, 1 in 50 have an embedding. A
# re-ingested copy with an embedding has no label: its group is split, the embedding on
# one copy and the speaker label on another, which data fix 0001 merges.
DIRTY_DATA = """
INSERT INTO sources (source_id, source_type, title, status)
SELECT 'yt_' || v, 'youtube', 'Episode ' || v, 'completed' FROM generate_series(1, 40) AS v;
INSERT INTO segments (video_id, start_sec, end_sec, text, speaker_label, embedding)
SELECT 'yt_' || (k % 40 + 1), k * 4.0, k * 4.0 + 3.5,
       'segment ' || k || ': ' || md5(k::text) || ' eat meat, drink water, sleep well',
       CASE WHEN g % 7 = 0 OR g % 50 = 0 THEN NULL WHEN g % 3 = 0 THEN 'GUEST' ELSE 'Chaffee' END,
       CASE WHEN g % 50 = 0 THEN array_fill((g % 9)::real / 10, ARRAY[1536])::vector END
FROM (SELECT g, CASE WHEN g % 10 = 0 THEN g / 2 ELSE g END AS k
      FROM generate_series(1, {rows}) AS g) AS numbered;
"""


def build_legacy(url: str, files: list[desired.SchemaFile], rows: int = 20_000) -> None:
    """Turn the empty database at `url` into the legacy production database."""
    desired.load(url, files)
    with db.connection(url) as conn:
        with conn.cursor() as cur:
            cur.execute(LEGACY_STEPS)
            cur.execute(DIRTY_DATA.format(rows=int(rows)))
            cur.execute("ANALYZE")
        conn.commit()


# Groups of equal (video_id, text) where one copy has the embedding and another the label.
_SPLIT = """
SELECT count(*), count(*) FILTER (WHERE 'GUEST' = ANY (labels)) FROM (
    SELECT array_agg(speaker_label) AS labels FROM public.segments GROUP BY video_id, text
    HAVING count(*) > 1
       AND bool_or(embedding IS NOT NULL AND speaker_label IS NULL)
       AND bool_or(embedding IS NULL AND speaker_label IS NOT NULL)
       AND NOT bool_or(embedding IS NOT NULL AND speaker_label IS NOT NULL)) AS split
"""

# Kept rows that took the label of a removed copy (0001's merge), by label.
_MERGED = """
SELECT count(*), count(*) FILTER (WHERE s.speaker_label = 'GUEST')
FROM public.segments AS s
WHERE s.embedding IS NOT NULL AND EXISTS (
    SELECT 1 FROM pgproof.archived_rows AS a
    WHERE a.table_name = 'public.segments' AND a.row->>'video_id' = s.video_id
      AND a.row->>'text' = s.text AND a.row->>'speaker_label' = s.speaker_label
      AND a.row->>'embedding' IS NULL)
"""


def split_groups(url: str) -> str:
    """A sentence on the duplicate groups split between an embedding and a label."""
    groups, guest = _one(url, _SPLIT)
    return (f"{groups:,} duplicate groups are split: one copy has the embedding, another the speaker label "
            f"({guest:,} of them 'GUEST'); 0001 keeps one row with both\n")


def merged(url: str) -> str:
    rows, guest = _one(url, _MERGED)
    return (f"0001 merged {rows:,} kept rows: each kept its embedding and took the speaker label of a removed "
            f"copy ({guest:,} 'GUEST', so 0002 did not make them 'Chaffee')\n")


def _one(url: str, sql: str) -> tuple:
    with db.connection(url) as conn, conn.cursor() as cur:
        cur.execute(sql)
        return cur.fetchone()


def archived_counts(url: str) -> list[tuple[str, int]]:
    """Rows each data fix archived in the target."""
    with db.connection(url) as conn, conn.cursor() as cur:
        cur.execute("SELECT fix, count(*) FROM pgproof.archived_rows GROUP BY fix ORDER BY fix")
        return cur.fetchall()
