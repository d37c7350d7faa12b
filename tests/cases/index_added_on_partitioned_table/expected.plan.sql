-- transaction 1 of 2 (statement 1, outside a transaction block): SHARE UPDATE EXCLUSIVE lock on public.events_2025
-- statement 1 of 3 (migra, outside a transaction); hazards: none
SET lock_timeout = '3000ms';
SET statement_timeout = '0ms';
CREATE INDEX CONCURRENTLY IF NOT EXISTS events_2025_kind_idx ON public.events_2025 (kind);

-- transaction 2 of 2 (statements 2-3): ACCESS EXCLUSIVE lock on public.events_kind
BEGIN;
-- statement 2 of 3 (migra, in the transaction); hazards: ACCESS_EXCLUSIVE_LOCK
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
CREATE INDEX events_kind ON ONLY public.events USING btree (kind);
-- statement 3 of 3 (catalog, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
ALTER INDEX public.events_kind ATTACH PARTITION public.events_2025_kind_idx;
COMMIT;
