-- transaction 1 of 1 (statements 1-3): ACCESS EXCLUSIVE lock on public.people
BEGIN;
-- statement 1 of 3 (catalog, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
ALTER TABLE public.people ALTER COLUMN mood DROP DEFAULT;
-- statement 2 of 3 (migra, in the transaction); hazards: ACCESS_EXCLUSIVE_LOCK, TABLE_REWRITE
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
alter table "public"."people" alter column "mood" set data type public.mood using "mood"::public.mood;
-- statement 3 of 3 (catalog, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
ALTER TABLE public.people ALTER COLUMN mood SET DEFAULT 'sad'::public.mood;
COMMIT;
