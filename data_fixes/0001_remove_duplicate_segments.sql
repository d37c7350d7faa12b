-- Remove duplicate segments (same video_id and text), so uq_segments_video_text can be
-- added. Of each group the row carrying the most information stays: one with an
-- embedding over one without, then one with a speaker_label over NULL, then the lowest
-- id. Every removed row is archived whole, in the same transaction as its delete.
--
-- phase: before
-- resolves: uq_segments_video_text

-- todo: every row that is not the keeper of its group. Duplicates are found by hashing
-- (video_id, text), never by sorting the table: a sort compares texts under the
-- database's collation, which is slow for anything but C. The keeper is the smallest
-- rank, packed in one bigint: embedding missing (bit 33), label missing (bit 32), id.
SELECT s.id, groups.keep
FROM public.segments AS s
JOIN (
    SELECT video_id, text,
           (min(((embedding IS NULL)::int::bigint << 33)
                | ((speaker_label IS NULL)::int::bigint << 32)
                | id) & 4294967295)::int AS keep
    FROM public.segments
    GROUP BY video_id, text
    HAVING count(*) > 1
) AS groups USING (video_id, text)
WHERE s.id <> groups.keep
ORDER BY s.id;

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
