-- transaction 1 of 1 (statements 1-3): ACCESS EXCLUSIVE lock on public.a_v, public.b_v, public.t
BEGIN;
-- statement 1 of 3 (migra, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
drop view if exists "public"."a_v";
-- statement 2 of 3 (migra, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
drop view if exists "public"."b_v";
-- statement 3 of 3 (migra, in the transaction); hazards: DATA_LOSS
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
drop table "public"."t";
COMMIT;
