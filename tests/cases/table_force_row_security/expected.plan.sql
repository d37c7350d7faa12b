-- transaction 1 of 1 (statement 1): ACCESS EXCLUSIVE lock on public.notes
BEGIN;
-- statement 1 of 1 (catalog, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
ALTER TABLE public.notes FORCE ROW LEVEL SECURITY;
COMMIT;
