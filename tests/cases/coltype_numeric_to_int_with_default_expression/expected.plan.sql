-- transaction 1 of 1 (statements 1-3): ACCESS EXCLUSIVE lock on public.prices
BEGIN;
-- statement 1 of 3 (catalog, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
ALTER TABLE public.prices ALTER COLUMN cents DROP DEFAULT;
-- statement 2 of 3 (migra, in the transaction); hazards: ACCESS_EXCLUSIVE_LOCK, TABLE_REWRITE
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
alter table "public"."prices" alter column "cents" set data type integer using "cents"::integer;
-- statement 3 of 3 (catalog, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
ALTER TABLE public.prices ALTER COLUMN cents SET DEFAULT (1 + 1);
COMMIT;
