-- transaction 1 of 2 (statement 1, outside a transaction block): SHARE UPDATE EXCLUSIVE lock on public.jobs_pending
-- statement 1 of 2 (migra, outside a transaction); hazards: INDEX_DROP
SET lock_timeout = '3000ms';
SET statement_timeout = '0ms';
DROP INDEX CONCURRENTLY IF EXISTS public.jobs_pending;

-- transaction 2 of 2 (statement 2, outside a transaction block): SHARE UPDATE EXCLUSIVE lock on public.jobs
-- statement 2 of 2 (migra, outside a transaction); hazards: none
SET lock_timeout = '3000ms';
SET statement_timeout = '0ms';
CREATE INDEX CONCURRENTLY IF NOT EXISTS jobs_pending ON public.jobs (id) WHERE status = ANY(ARRAY[CAST('pending' AS text), CAST('retry' AS text)]);
