-- transaction 1 of 1 (statements 1-4): ACCESS EXCLUSIVE lock on public.events
BEGIN;
-- statement 1 of 4 (migra, in the transaction); hazards: DATA_LOSS
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
drop table "public"."events";
-- statement 2 of 4 (migra, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
create table "public"."events" (
    "id" integer not null,
    "at" date not null,
    "kind" text
) partition by RANGE (at);
-- statement 3 of 4 (migra, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
create table "public"."events_2025" partition of "public"."events" FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
-- statement 4 of 4 (migra, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
create table "public"."events_2026" partition of "public"."events" FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
COMMIT;
