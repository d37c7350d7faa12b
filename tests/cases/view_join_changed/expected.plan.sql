-- transaction 1 of 1 (statement 1): ACCESS EXCLUSIVE lock on public.segment_titles
BEGIN;
-- statement 1 of 1 (migra, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
create or replace view "public"."segment_titles" as  SELECT s.id,
    s.text,
    src.title,
    length(s.text) AS chars
   FROM (public.segments s
     JOIN public.sources src ON ((src.id = s.source_id)))
  WHERE (s.text <> ''::text);
COMMIT;
