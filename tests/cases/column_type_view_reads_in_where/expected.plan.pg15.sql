-- transaction 1 of 1 (statements 1-6): ACCESS EXCLUSIVE lock on public.popular_ids, public.popular, public.sources
BEGIN;
-- statement 1 of 6 (migra, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
drop view if exists "public"."popular_ids";
-- statement 2 of 6 (migra, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
drop view if exists "public"."popular";
-- statement 3 of 6 (migra, in the transaction); hazards: ACCESS_EXCLUSIVE_LOCK, TABLE_REWRITE
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
alter table "public"."sources" alter column "view_count" set data type bigint using "view_count"::bigint;
-- statement 4 of 6 (migra, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
create or replace view "public"."popular" as  SELECT sources.id
   FROM public.sources
  WHERE (sources.view_count > 1000);
-- statement 5 of 6 (migra, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
create or replace view "public"."popular_ids" as  SELECT popular.id
   FROM public.popular;
-- statement 6 of 6 (comments, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
COMMENT ON VIEW public.popular IS 'sources with many views';
COMMIT;
