-- transaction 1 of 3 (statement 1, outside a transaction block): SHARE UPDATE EXCLUSIVE lock on public.tags
-- statement 1 of 3 (catalog, outside a transaction); hazards: none
SET lock_timeout = '3000ms';
SET statement_timeout = '0ms';
CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS pgproof_new_tags_owner_name ON public.tags (owner, name) NULLS NOT DISTINCT;

-- transaction 2 of 3 (statement 2, outside a transaction block): SHARE UPDATE EXCLUSIVE lock on public.tags_owner_name
-- statement 2 of 3 (catalog, outside a transaction); hazards: INDEX_DROP
SET lock_timeout = '3000ms';
SET statement_timeout = '0ms';
DROP INDEX CONCURRENTLY IF EXISTS public.tags_owner_name;

-- transaction 3 of 3 (statement 3): SHARE UPDATE EXCLUSIVE lock on public.pgproof_new_tags_owner_name
BEGIN;
-- statement 3 of 3 (catalog, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
ALTER INDEX public.pgproof_new_tags_owner_name RENAME TO tags_owner_name;
COMMIT;
