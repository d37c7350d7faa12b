-- transaction 1 of 3 (statements 1-2): ACCESS EXCLUSIVE lock on public.events_kind
BEGIN;
-- statement 1 of 4 (catalog, in the transaction); hazards: INDEX_DROP
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
DROP INDEX public.events_kind;
-- statement 2 of 4 (catalog, in the transaction); hazards: ACCESS_EXCLUSIVE_LOCK
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
CREATE INDEX events_kind ON ONLY public.events USING btree (kind COLLATE "C");
COMMIT;

-- transaction 2 of 3 (statement 3, outside a transaction block): SHARE UPDATE EXCLUSIVE lock on public.events_2025
-- statement 3 of 4 (catalog, outside a transaction); hazards: none
SET lock_timeout = '3000ms';
SET statement_timeout = '0ms';
CREATE INDEX CONCURRENTLY IF NOT EXISTS events_2025_kind_idx ON public.events_2025 (kind COLLATE "C");

-- transaction 3 of 3 (statement 4): ACCESS EXCLUSIVE lock on public.events_kind
BEGIN;
-- statement 4 of 4 (catalog, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
ALTER INDEX public.events_kind ATTACH PARTITION public.events_2025_kind_idx;
COMMIT;
