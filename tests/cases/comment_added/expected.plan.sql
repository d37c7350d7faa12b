-- transaction 1 of 1 (statement 1): SHARE UPDATE EXCLUSIVE lock on public.sources
BEGIN;
-- statement 1 of 1 (comments, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
COMMENT ON COLUMN public.sources.status IS 'pending, processing, completed, failed';
COMMIT;
