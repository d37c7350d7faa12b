-- Remove duplicate segments (same video_id and text), so uq_segments_video_text can be
-- added. Of each group the row carrying the most information stays: one with an
-- embedding over one without, then one with a speaker_label over NULL, then the lowest
-- id. Every removed row is archived whole, in the same transaction as its delete.
--
-- phase: before
-- resolves: uq_segments_video_text

-- todo: every row that is not the keeper of its group. Candidates are found by hashing
-- (video_id, text) to one bigint and grouping on that: no text is compared under the
-- database's collation (strcoll: slow for en_US and the like), and nothing wide is
-- sorted. Only the candidates are then ranked exactly, under COLLATE "C" (equality is
-- byte equality under any deterministic collation), so a hash collision costs nothing.
SELECT id, keep
FROM (
    SELECT id,
           first_value(id) OVER (
               PARTITION BY video_id COLLATE "C", text COLLATE "C"
               ORDER BY embedding IS NULL, speaker_label IS NULL, id) AS keep
    FROM public.segments
    WHERE hashtextextended(text, hashtextextended(video_id, 0)) IN (
        SELECT hashtextextended(text, hashtextextended(video_id, 0))
        FROM public.segments
        GROUP BY 1
        HAVING count(*) > 1)
) AS ranked
WHERE id <> keep
ORDER BY id;

-- batch: $1 the ids to remove, $2 the keeper of each. A row is removed only if it is
-- still a duplicate of its keeper and still no more informative than it (the application
-- may have changed either since the todo was made); otherwise it waits for the next run.
WITH batch AS (
    SELECT * FROM unnest($1::int[], $2::int[]) AS b(id, keep)
), removed AS (
    DELETE FROM public.segments AS s
    USING batch AS b, public.segments AS k
    WHERE s.id = b.id
      AND k.id = b.keep
      AND k.video_id = s.video_id
      AND k.text = s.text
      AND (k.embedding IS NULL, k.speaker_label IS NULL, k.id)
          < (s.embedding IS NULL, s.speaker_label IS NULL, s.id)
    RETURNING s.*
)
INSERT INTO pgdeclare.archived_rows (table_name, row)
SELECT 'public.segments', row_to_json(removed) FROM removed;
