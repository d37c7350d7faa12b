-- transaction 1 of 1 (statement 1): ACCESS EXCLUSIVE lock on public.titles
BEGIN;
-- statement 1 of 1 (migra, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
create or replace view "public"."titles" as  SELECT id,
    title
   FROM public.sources
  WHERE (status = 'completed'::text);
COMMIT;
