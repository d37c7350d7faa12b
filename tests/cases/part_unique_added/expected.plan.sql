-- transaction 1 of 3 (statement 1, outside a transaction block): SHARE UPDATE EXCLUSIVE lock on public.events_2025
-- statement 1 of 5 (migra, outside a transaction); hazards: none
SET lock_timeout = '3000ms';
SET statement_timeout = '0ms';
CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS events_2025_id_at_key ON public.events_2025 (id, at);

-- transaction 2 of 3 (statement 2, outside a transaction block): SHARE UPDATE EXCLUSIVE lock on public.events_2026
-- statement 2 of 5 (migra, outside a transaction); hazards: none
SET lock_timeout = '3000ms';
SET statement_timeout = '0ms';
CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS events_2026_id_at_key ON public.events_2026 (id, at);

-- transaction 3 of 3 (statements 3-5): ACCESS EXCLUSIVE lock on public.events_2025, public.events_2026, public.events
BEGIN;
-- statement 3 of 5 (migra, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
alter table "public"."events_2025" add constraint "events_2025_id_at_key" UNIQUE using index "events_2025_id_at_key";
-- statement 4 of 5 (migra, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
alter table "public"."events_2026" add constraint "events_2026_id_at_key" UNIQUE using index "events_2026_id_at_key";
-- statement 5 of 5 (catalog, in the transaction); hazards: ACCESS_EXCLUSIVE_LOCK
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
ALTER TABLE public.events ADD CONSTRAINT events_id_at UNIQUE (id, at);
COMMIT;
