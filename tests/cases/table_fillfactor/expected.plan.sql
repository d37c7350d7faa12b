-- transaction 1 of 1 (statement 1): SHARE UPDATE EXCLUSIVE lock on public.api_cache
BEGIN;
-- statement 1 of 1 (catalog, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
ALTER TABLE public.api_cache SET (fillfactor=80);
COMMIT;
