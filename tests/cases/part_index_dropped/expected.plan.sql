-- transaction 1 of 1 (statement 1): ACCESS EXCLUSIVE lock on public.events_kind
BEGIN;
-- statement 1 of 1 (migra, in the transaction); hazards: INDEX_DROP
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
drop index if exists "public"."events_kind";
COMMIT;
