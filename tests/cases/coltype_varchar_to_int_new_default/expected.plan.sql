-- transaction 1 of 1 (statements 1-2): ACCESS EXCLUSIVE lock on public.items
BEGIN;
-- statement 1 of 2 (migra, in the transaction); hazards: ACCESS_EXCLUSIVE_LOCK, TABLE_REWRITE
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
alter table "public"."items" alter column "qty" set data type integer using "qty"::integer;
-- statement 2 of 2 (catalog, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
ALTER TABLE public.items ALTER COLUMN qty SET DEFAULT 1;
COMMIT;
