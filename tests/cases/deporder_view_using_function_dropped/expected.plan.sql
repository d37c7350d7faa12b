-- transaction 1 of 1 (statements 1-2): ACCESS EXCLUSIVE lock on public.a_v
BEGIN;
-- statement 1 of 2 (migra, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
drop view if exists "public"."a_v";
-- statement 2 of 2 (migra, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
drop function if exists "public"."z_inner"(x integer);
COMMIT;
