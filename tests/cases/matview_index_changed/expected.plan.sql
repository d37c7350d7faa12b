-- transaction 1 of 3 (statement 1): SHARE lock on public.status_counts
BEGIN;
-- statement 1 of 3 (catalog, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
CREATE INDEX pgproof_new_status_counts_n ON public.status_counts (n) WITH (fillfactor = '50');
COMMIT;

-- transaction 2 of 3 (statement 2, outside a transaction block): SHARE UPDATE EXCLUSIVE lock on public.status_counts_n
-- statement 2 of 3 (catalog, outside a transaction); hazards: INDEX_DROP
SET lock_timeout = '3000ms';
SET statement_timeout = '0ms';
DROP INDEX CONCURRENTLY IF EXISTS public.status_counts_n;

-- transaction 3 of 3 (statement 3): SHARE UPDATE EXCLUSIVE lock on public.pgproof_new_status_counts_n
BEGIN;
-- statement 3 of 3 (catalog, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
ALTER INDEX public.pgproof_new_status_counts_n RENAME TO status_counts_n;
COMMIT;
