-- transaction 1 of 1 (statements 1-3): ACCESS EXCLUSIVE lock on public.flags
BEGIN;
-- statement 1 of 3 (catalog, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
ALTER TABLE public.flags ALTER COLUMN on_off DROP DEFAULT;
-- statement 2 of 3 (migra, in the transaction); hazards: ACCESS_EXCLUSIVE_LOCK, TABLE_REWRITE
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
alter table "public"."flags" alter column "on_off" set data type boolean using "on_off"::boolean;
-- statement 3 of 3 (catalog, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
ALTER TABLE public.flags ALTER COLUMN on_off SET DEFAULT false;
COMMIT;
