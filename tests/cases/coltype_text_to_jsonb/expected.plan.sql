-- transaction 1 of 1 (statement 1): ACCESS EXCLUSIVE lock on public.docs
BEGIN;
-- statement 1 of 1 (migra, in the transaction); hazards: ACCESS_EXCLUSIVE_LOCK, TABLE_REWRITE
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
alter table "public"."docs" alter column "body" set data type jsonb using "body"::jsonb;
COMMIT;
