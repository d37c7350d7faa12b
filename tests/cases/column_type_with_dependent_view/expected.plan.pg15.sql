-- transaction 1 of 1 (statements 1-4): ACCESS EXCLUSIVE lock on public.popular, public.sources
BEGIN;
-- statement 1 of 4 (migra, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
drop view if exists "public"."popular";
-- statement 2 of 4 (migra, in the transaction); hazards: ACCESS_EXCLUSIVE_LOCK, TABLE_REWRITE
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
alter table "public"."sources" alter column "view_count" set data type bigint using "view_count"::bigint;
-- statement 3 of 4 (migra, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
create or replace view "public"."popular" as  SELECT sources.id,
    sources.view_count
   FROM public.sources
  WHERE (sources.view_count > 1000);
-- statement 4 of 4 (comments, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
COMMENT ON VIEW public.popular IS 'sources with many views';
COMMIT;
