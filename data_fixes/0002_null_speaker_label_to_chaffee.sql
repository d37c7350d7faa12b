-- Set a NULL speaker_label to 'Chaffee': unlabelled segments of this channel are the
-- host speaking (what Alembic migration 002 did). Nothing is removed, so nothing is
-- archived; the rows it touches are listed by the todo and found again by their NULL.
--
-- phase: before
-- check: SELECT count(*) FROM public.segments WHERE speaker_label IS NULL

-- todo: the rows still unlabelled, in id order (close rows share pages).
SELECT id FROM public.segments WHERE speaker_label IS NULL ORDER BY id;

-- batch: $1 the ids; a row labelled meanwhile is left alone.
UPDATE public.segments
SET speaker_label = 'Chaffee'
WHERE id = ANY ($1::int[]) AND speaker_label IS NULL;
