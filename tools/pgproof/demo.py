"""A legacy production database for `pgproof demo`: the schema as the old Alembic setup
left it (the desired schema without migration 002's constraint, plus alembic_version) and
dirty data: duplicate segments and NULL speaker labels, as a re-ingestion leaves them."""

from __future__ import annotations

from . import db, desired

LEGACY_STEPS = """
ALTER TABLE segments DROP CONSTRAINT uq_segments_video_text;
CREATE TABLE alembic_version (version_num varchar(32) PRIMARY KEY);
INSERT INTO alembic_version VALUES ('001');
"""

# {rows} segments over 40 videos; every 10th row re-ingests an earlier segment of the same
# video (a duplicate), 1 in 7 have no speaker label, 1 in 50 have an embedding.
DIRTY_DATA = """
INSERT INTO sources (source_id, source_type, title, status)
SELECT 'yt_' || v, 'youtube', 'Episode ' || v, 'completed' FROM generate_series(1, 40) AS v;
INSERT INTO segments (video_id, start_sec, end_sec, text, speaker_label, embedding)
SELECT 'yt_' || (k % 40 + 1), k * 4.0, k * 4.0 + 3.5,
       'segment ' || k || ': ' || md5(k::text) || ' eat meat, drink water, sleep well',
       CASE WHEN g % 7 = 0 THEN NULL WHEN g % 3 = 0 THEN 'GUEST' ELSE 'Chaffee' END,
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


def archived_counts(url: str) -> list[tuple[str, int]]:
    """Rows each data fix archived in the target."""
    with db.connection(url) as conn, conn.cursor() as cur:
        cur.execute("SELECT fix, count(*) FROM pgproof.archived_rows GROUP BY fix ORDER BY fix")
        return cur.fetchall()
