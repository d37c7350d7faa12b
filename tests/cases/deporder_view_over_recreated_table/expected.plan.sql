-- transaction 1 of 1 (statements 1-6): ACCESS EXCLUSIVE lock on public.recent, public.events
BEGIN;
-- statement 1 of 6 (catalog, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
DROP VIEW public.recent;
-- statement 2 of 6 (migra, in the transaction); hazards: DATA_LOSS
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
drop table "public"."events";
-- statement 3 of 6 (migra, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
create table "public"."events" (
    "id" integer not null,
    "at" date not null,
    "kind" text
) partition by RANGE (at);
-- statement 4 of 6 (migra, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
create table "public"."events_2025" partition of "public"."events" FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
-- statement 5 of 6 (migra, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
create table "public"."events_2026" partition of "public"."events" FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
-- statement 6 of 6 (catalog, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
CREATE VIEW public.recent AS SELECT id,
    kind
   FROM public.events;
COMMIT;
