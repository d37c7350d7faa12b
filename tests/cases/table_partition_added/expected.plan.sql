-- transaction 1 of 1 (statement 1): ACCESS EXCLUSIVE lock on public.events
BEGIN;
-- statement 1 of 1 (migra, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
create table "public"."events_2026" partition of "public"."events" FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
COMMIT;
