-- transaction 1 of 1 (statements 1-2): ACCESS EXCLUSIVE lock on public.events
BEGIN;
-- statement 1 of 2 (catalog, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
CREATE TABLE public.events (at date NOT NULL, title text COLLATE pg_catalog."C") PARTITION BY range (at);
-- statement 2 of 2 (migra, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
create table "public"."events_2025" partition of "public"."events" FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
COMMIT;
