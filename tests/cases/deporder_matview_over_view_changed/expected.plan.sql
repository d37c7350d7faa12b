-- transaction 1 of 1 (statements 1-3): ACCESS EXCLUSIVE lock on public.a_mv, public.b_v
BEGIN;
-- statement 1 of 3 (migra, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
drop materialized view if exists "public"."a_mv";
-- statement 2 of 3 (migra, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
create or replace view "public"."b_v" as  SELECT x,
    y
   FROM public.t;
-- statement 3 of 3 (migra, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
create materialized view "public"."a_mv" as  SELECT x,
    y
   FROM public.b_v;
COMMIT;
