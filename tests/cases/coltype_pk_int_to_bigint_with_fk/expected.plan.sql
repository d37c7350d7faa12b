-- transaction 1 of 1 (statements 1-2): ACCESS EXCLUSIVE lock on public.c, public.p
BEGIN;
-- statement 1 of 2 (migra, in the transaction); hazards: ACCESS_EXCLUSIVE_LOCK, TABLE_REWRITE
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
alter table "public"."c" alter column "p_id" set data type bigint using "p_id"::bigint;
-- statement 2 of 2 (migra, in the transaction); hazards: ACCESS_EXCLUSIVE_LOCK, TABLE_REWRITE
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
alter table "public"."p" alter column "id" set data type bigint using "id"::bigint;
COMMIT;
