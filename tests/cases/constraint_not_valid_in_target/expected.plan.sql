-- transaction 1 of 2 (statements 1-2): ACCESS EXCLUSIVE lock on public.segments
BEGIN;
-- statement 1 of 3 (migra, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
alter table "public"."segments" drop constraint "segments_time";
-- statement 2 of 3 (migra, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
alter table "public"."segments" add constraint "segments_time" CHECK ((end_sec >= start_sec)) not valid;
COMMIT;

-- transaction 2 of 2 (statement 3): SHARE UPDATE EXCLUSIVE lock on public.segments
BEGIN;
-- statement 3 of 3 (migra, in the transaction); hazards: CONSTRAINT_VALIDATION
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
alter table "public"."segments" validate constraint "segments_time";
COMMIT;
