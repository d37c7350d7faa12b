-- Remove duplicate segments (same video_id and text), so uq_segments_video_text can be
-- added. Of each group the row carrying the most information stays: one with an
-- embedding over one without, then one with a speaker_label over NULL, then the lowest
-- id. Every removed row is archived whole, in the same transaction as its delete.
--
-- The work goes video by video: a batch takes a few videos (rows of one video are
-- neighbours in idx_segments_video_id), ranks their groups and removes the duplicates, so
-- there is no global scan first and both cores can work from the start.
--
-- phase: before
-- resolves: uq_segments_video_text
-- batch size: 10
-- check: SELECT count(*) FROM (
--     SELECT id <> first_value(id) OVER (
--                PARTITION BY video_id COLLATE "C", text COLLATE "C"
--                ORDER BY embedding IS NULL, speaker_label IS NULL, id) AS duplicate
--     FROM public.segments
--     WHERE hashtextextended(text, hashtextextended(video_id, 0)) IN (
--         SELECT hashtextextended(text, hashtextextended(video_id, 0))
--         FROM public.segments GROUP BY 1 HAVING count(*) > 1)
--   ) AS ranked WHERE duplicate

-- todo: the videos, in index order (an index-only scan).
SELECT DISTINCT video_id FROM public.segments ORDER BY video_id;

-- batch: $1 the videos. Groups are ranked under COLLATE "C" (equality is byte equality
-- under any deterministic collation, and C compares fastest). The delete re-checks each
-- row against its keeper, so a row the application changed since the ranking is left
-- for the next run rather than removed by mistake.
WITH ranked AS (
    SELECT id, first_value(id) OVER (
               PARTITION BY video_id COLLATE "C", text COLLATE "C"
               ORDER BY embedding IS NULL, speaker_label IS NULL, id) AS keep
    FROM public.segments
    WHERE video_id = ANY ($1)
), pairs AS (
    SELECT array_agg(id) AS ids, array_agg(keep) AS keeps FROM ranked WHERE id <> keep
), removed AS (
    DELETE FROM public.segments AS s
    USING unnest((SELECT ids FROM pairs), (SELECT keeps FROM pairs)) AS b(id, keep),
          public.segments AS k
    WHERE s.id = b.id
      AND k.id = b.keep
      AND k.video_id = s.video_id
      AND k.text = s.text
      AND (k.embedding IS NULL, k.speaker_label IS NULL, k.id)
          < (s.embedding IS NULL, s.speaker_label IS NULL, s.id)
    RETURNING s.*
)
INSERT INTO pgproof.archived_rows (table_name, row)
SELECT 'public.segments', row_to_json(removed) FROM removed;
