-- transaction 1 of 1 (statement 1): ACCESS EXCLUSIVE lock on public.events_2026
BEGIN;
-- statement 1 of 1 (migra, in the transaction); hazards: DATA_LOSS
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
drop table "public"."events_2026";
COMMIT;
