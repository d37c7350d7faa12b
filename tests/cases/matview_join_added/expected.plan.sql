-- transaction 1 of 1 (statements 1-2): SHARE lock on public.source_counts
BEGIN;
-- statement 1 of 2 (migra, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
create materialized view "public"."source_counts" as  SELECT src.id,
    src.title,
    count(s.id) AS segments
   FROM (public.sources src
     LEFT JOIN public.segments s ON ((s.source_id = src.id)))
  GROUP BY src.id, src.title;
-- statement 2 of 2 (migra, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
CREATE UNIQUE INDEX source_counts_id ON public.source_counts USING btree (id);
COMMIT;
