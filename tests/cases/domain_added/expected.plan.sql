-- transaction 1 of 1 (statements 1-2): ACCESS EXCLUSIVE lock on public.segments
BEGIN;
-- statement 1 of 2 (catalog, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
CREATE DOMAIN public.confidence AS double precision CONSTRAINT confidence_range CHECK (VALUE >= 0::double precision AND VALUE <= 1::double precision);
-- statement 2 of 2 (migra, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
alter table "public"."segments" add column "speaker_confidence" public.confidence;
COMMIT;
