-- transaction 1 of 1 (statements 1-2): no table lock
BEGIN;
-- statement 1 of 2 (migra, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
drop function if exists "public"."a_outer"(x integer);
-- statement 2 of 2 (migra, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
drop function if exists "public"."z_inner"(x integer);
COMMIT;
