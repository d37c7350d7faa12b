-- transaction 1 of 1 (statement 1): ACCESS EXCLUSIVE lock on public.segments
BEGIN;
-- statement 1 of 1 (migra, in the transaction); hazards: ACCESS_EXCLUSIVE_LOCK, TABLE_REWRITE, VECTOR_DIMENSION_CHANGE
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
alter table "public"."segments" alter column "embedding" set data type public.vector(4) using "embedding"::public.vector(4);
COMMIT;
