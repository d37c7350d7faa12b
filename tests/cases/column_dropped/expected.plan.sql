-- transaction 1 of 1 (statement 1): ACCESS EXCLUSIVE lock on public.sources
BEGIN;
-- statement 1 of 1 (migra, in the transaction); hazards: DATA_LOSS
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
alter table "public"."sources" drop column "legacy_flag";
COMMIT;
