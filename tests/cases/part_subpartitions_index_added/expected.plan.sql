-- transaction 1 of 3 (statement 1, outside a transaction block): SHARE UPDATE EXCLUSIVE lock on public.events_2025_a
-- statement 1 of 7 (migra, outside a transaction); hazards: none
SET lock_timeout = '3000ms';
SET statement_timeout = '0ms';
CREATE INDEX CONCURRENTLY IF NOT EXISTS events_2025_a_id_idx ON public.events_2025_a (id);

-- transaction 2 of 3 (statement 2, outside a transaction block): SHARE UPDATE EXCLUSIVE lock on public.events_2025_b
-- statement 2 of 7 (migra, outside a transaction); hazards: none
SET lock_timeout = '3000ms';
SET statement_timeout = '0ms';
CREATE INDEX CONCURRENTLY IF NOT EXISTS events_2025_b_id_idx ON public.events_2025_b (id);

-- transaction 3 of 3 (statements 3-7): ACCESS EXCLUSIVE lock on public.events_2025_id_idx, public.events_id
BEGIN;
-- statement 3 of 7 (migra, in the transaction); hazards: ACCESS_EXCLUSIVE_LOCK
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
CREATE INDEX events_2025_id_idx ON ONLY public.events_2025 USING btree (id);
-- statement 4 of 7 (catalog, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
ALTER INDEX public.events_2025_id_idx ATTACH PARTITION public.events_2025_a_id_idx;
-- statement 5 of 7 (catalog, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
ALTER INDEX public.events_2025_id_idx ATTACH PARTITION public.events_2025_b_id_idx;
-- statement 6 of 7 (migra, in the transaction); hazards: ACCESS_EXCLUSIVE_LOCK
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
CREATE INDEX events_id ON ONLY public.events USING btree (id);
-- statement 7 of 7 (catalog, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
ALTER INDEX public.events_id ATTACH PARTITION public.events_2025_id_idx;
COMMIT;
