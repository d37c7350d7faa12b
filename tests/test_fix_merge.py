"""Fix 0001 keeps the best of each duplicate group: the kept row has the embedding of the
copy that has one and the speaker label (with its confidence) of a copy that has one, so
0002 never labels a guest's words 'Chaffee'. Removed copies are archived whole."""

from __future__ import annotations

import json

from conftest import REPO, run_sql
from pgproof.ledger import archive
from pgproof.fixes import run as fixes

FIXES = fixes.discover(REPO / "data_fixes")
DEDUP, LABEL = FIXES[0], FIXES[1]

# Split groups in vid_s: (a) one copy embedded, no label; another 'GUEST' without an
# embedding. (b) embedded + NULL, 'GUEST' 0.4 and 'Host' 0.9: the most confident label.
# (c) both copies labelled: the kept one keeps its own. (d) no label anywhere.
SPLIT = """
INSERT INTO segments (id, video_id, start_sec, end_sec, text, speaker_label, speaker_confidence, embedding)
VALUES
  (101, 'vid_s', 1, 2, 'split a', NULL,    NULL, array_fill(0.5::real, ARRAY[1536])::vector),
  (102, 'vid_s', 1, 2, 'split a', 'GUEST', 0.7,  NULL),
  (111, 'vid_s', 3, 4, 'split b', 'GUEST', 0.4,  NULL),
  (112, 'vid_s', 3, 4, 'split b', NULL,    NULL, array_fill(0.25::real, ARRAY[1536])::vector),
  (113, 'vid_s', 3, 4, 'split b', 'Host',  0.9,  NULL),
  (121, 'vid_s', 5, 6, 'split c', 'Chaffee', 0.8, array_fill(0.1::real, ARRAY[1536])::vector),
  (122, 'vid_s', 5, 6, 'split c', 'GUEST', 0.99, NULL),
  (131, 'vid_s', 7, 8, 'split d', NULL, NULL, array_fill(0.2::real, ARRAY[1536])::vector),
  (132, 'vid_s', 7, 8, 'split d', NULL, NULL, NULL)
"""


def kept(url: str) -> dict[str, tuple]:
    rows = run_sql(url, "SELECT text, id, embedding IS NOT NULL, speaker_label, speaker_confidence "
                        "FROM segments WHERE video_id = 'vid_s' ORDER BY text")
    return {r[0]: r[1:] for r in rows}


def test_split_groups_keep_the_embedding_and_the_label(legacy_db):
    run_sql(legacy_db, SPLIT)
    originals = {r[0]: r[1] for r in run_sql(legacy_db, "SELECT id, row_to_json(s)::text FROM segments s "
                                                        "WHERE video_id = 'vid_s'")}
    fixes.run(legacy_db, [DEDUP], batch_rows=1)
    assert kept(legacy_db) == {
        "split a": (101, True, "GUEST", 0.7),
        "split b": (112, True, "Host", 0.9),
        "split c": (121, True, "Chaffee", 0.8),
        "split d": (131, True, None, None),
    }
    # The removed copies are archived whole, as they were before the merge.
    rows = run_sql(legacy_db, f"SELECT row::text FROM {archive.ARCHIVE} WHERE row->>'video_id' = 'vid_s'")
    archived = {json.loads(r[0])["id"]: json.loads(r[0]) for r in rows}
    assert set(archived) == {102, 111, 113, 122, 132}
    for id_, row in archived.items():
        assert row == json.loads(originals[id_])
    # Idempotent: done, and a second run changes nothing.
    assert fixes.pending(legacy_db, [DEDUP]) == [(DEDUP, 0)]
    assert sum(r.rows_changed for r in fixes.run(legacy_db, [DEDUP])) == 0
    assert kept(legacy_db)["split a"] == (101, True, "GUEST", 0.7)
    # 0002 then labels only what no copy labelled.
    fixes.run(legacy_db, [LABEL])
    assert kept(legacy_db)["split a"][2] == "GUEST"
    assert kept(legacy_db)["split d"][2] == "Chaffee"
