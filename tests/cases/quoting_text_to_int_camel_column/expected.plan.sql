-- transaction 1 of 1 (statements 1-3): ACCESS EXCLUSIVE lock on public."Cart"
BEGIN;
-- statement 1 of 3 (catalog, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
ALTER TABLE public."Cart" ALTER COLUMN "itemCount" DROP DEFAULT;
-- statement 2 of 3 (migra, in the transaction); hazards: ACCESS_EXCLUSIVE_LOCK, TABLE_REWRITE
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
alter table "public"."Cart" alter column "itemCount" set data type integer using "itemCount"::integer;
-- statement 3 of 3 (catalog, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
ALTER TABLE public."Cart" ALTER COLUMN "itemCount" SET DEFAULT 0;
COMMIT;
