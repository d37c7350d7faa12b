-- Set a NULL speaker_label to 'Chaffee': unlabelled segments of this channel are the
-- host speaking (what Alembic migration 002 did). Nothing is removed, so nothing is
-- archived.
--
-- The work goes through the table by ranges of pages (a TID range scan reads them in
-- order), so no list of rows is built first and both cores can work from the start.
--
-- phase: before
-- batch size: 500
-- check: SELECT count(*) FROM public.segments WHERE speaker_label IS NULL

-- todo: the table's pages, one row each.
SELECT generate_series(0, pg_relation_size('public.segments') / current_setting('block_size')::int) AS page;

-- batch: $1 consecutive pages; a row labelled meanwhile is left alone.
UPDATE public.segments
SET speaker_label = 'Chaffee'
WHERE ctid >= format('(%s,0)', (SELECT min(p) FROM unnest($1::bigint[]) AS p))::tid
  AND ctid < format('(%s,0)', (SELECT max(p) + 1 FROM unnest($1::bigint[]) AS p))::tid
  AND speaker_label IS NULL;
