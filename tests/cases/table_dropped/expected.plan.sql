-- transaction 1 of 3 (statements 1-2): ACCESS EXCLUSIVE lock on public.old_jobs
BEGIN;
-- statement 1 of 4 (migra, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
alter table "public"."old_jobs" drop constraint "old_jobs_source_id_fkey";
-- statement 2 of 4 (migra, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
alter table "public"."old_jobs" drop constraint "old_jobs_pkey";
COMMIT;

-- transaction 2 of 3 (statement 3, outside a transaction block): SHARE UPDATE EXCLUSIVE lock on public.old_jobs_pkey
-- statement 3 of 4 (migra, outside a transaction); hazards: INDEX_DROP
SET lock_timeout = '3000ms';
SET statement_timeout = '0ms';
DROP INDEX CONCURRENTLY IF EXISTS public.old_jobs_pkey;

-- transaction 3 of 3 (statement 4): ACCESS EXCLUSIVE lock on public.old_jobs
BEGIN;
-- statement 4 of 4 (migra, in the transaction); hazards: DATA_LOSS
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
drop table "public"."old_jobs";
COMMIT;
