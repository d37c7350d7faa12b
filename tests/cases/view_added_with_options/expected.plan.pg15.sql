-- transaction 1 of 1 (statements 1-4): ACCESS EXCLUSIVE lock on public.source_ids
BEGIN;
-- statement 1 of 4 (migra, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
create materialized view "public"."source_count" as  SELECT count(*) AS n
   FROM public.sources;
-- statement 2 of 4 (catalog, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
ALTER MATERIALIZED VIEW public.source_count SET (fillfactor=90);
-- statement 3 of 4 (migra, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
create or replace view "public"."source_ids" as  SELECT sources.id
   FROM public.sources;
-- statement 4 of 4 (catalog, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
ALTER VIEW public.source_ids SET (security_invoker=true, security_barrier=true);
COMMIT;
