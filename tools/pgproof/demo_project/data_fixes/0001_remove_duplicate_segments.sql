-- Remove duplicate segments (same video_id and text), so uq_segments_video_text can be
-- added. Of each group the row carrying the most information stays: one with an
-- embedding over one without, then one with a speaker_label over NULL, then the lowest
-- id. It takes the best of its group: when it has no speaker label but a removed copy
-- has one (one copy embedded, another labelled 'GUEST'), it takes that label and its
-- confidence, so 0002 never labels a guest's words 'Chaffee'. Every removed row is
-- archived whole, in the same transaction as its delete.
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
-- for the next run rather than removed by mistake. A keeper without a speaker label
-- takes the label (and its confidence) of a removed copy that has one, the most
-- confident first: merged from the rows actually removed, never from a row left alone.
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
    RETURNING s AS copy, b.keep
), labels AS (
    SELECT DISTINCT ON (keep) keep, (copy).speaker_label, (copy).speaker_confidence
    FROM removed
    WHERE (copy).speaker_label IS NOT NULL
    ORDER BY keep, (copy).speaker_confidence DESC NULLS LAST, (copy).id
), merged AS (
    UPDATE public.segments AS k
    SET speaker_label = labels.speaker_label, speaker_confidence = labels.speaker_confidence
    FROM labels
    WHERE k.id = labels.keep AND k.speaker_label IS NULL
    RETURNING k.id
)
INSERT INTO pgproof.archived_rows (table_name, row)
SELECT 'public.segments', row_to_json(copy) FROM removed;
