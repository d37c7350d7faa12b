-- transaction 1 of 1 (statements 1-6): ACCESS EXCLUSIVE lock on public.counted_titles, public.counted, public.sources
BEGIN;
-- statement 1 of 6 (migra, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
drop view if exists "public"."counted_titles";
-- statement 2 of 6 (migra, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
drop view if exists "public"."counted";
-- statement 3 of 6 (migra, in the transaction); hazards: ACCESS_EXCLUSIVE_LOCK, TABLE_REWRITE
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
alter table "public"."sources" alter column "view_count" set data type bigint using "view_count"::bigint;
-- statement 4 of 6 (migra, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
create or replace view "public"."counted" as  SELECT sources.id,
    sources.title
   FROM public.sources
  WHERE (sources.view_count > 10);
-- statement 5 of 6 (migra, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
create or replace view "public"."counted_titles" as  SELECT counted.title
   FROM public.counted;
-- statement 6 of 6 (comments, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
COMMENT ON VIEW public.counted_titles IS 'titles of counted sources';
COMMIT;
