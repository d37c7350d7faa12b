-- transaction 1 of 1 (statements 1-2): ACCESS EXCLUSIVE lock on public.segments
BEGIN;
-- statement 1 of 2 (migra, in the transaction); hazards: ACCESS_EXCLUSIVE_LOCK, TABLE_REWRITE
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
alter table "public"."segments" alter column "speaker_confidence" set data type double precision using "speaker_confidence"::double precision;
-- statement 2 of 2 (catalog, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
DROP DOMAIN public.confidence;
COMMIT;
