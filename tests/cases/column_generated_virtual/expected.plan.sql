-- transaction 1 of 1 (statement 1): ACCESS EXCLUSIVE lock on public.segments
BEGIN;
-- statement 1 of 1 (catalog, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
ALTER TABLE public.segments ADD COLUMN duration double precision GENERATED ALWAYS AS ((end_sec - start_sec)) VIRTUAL;
COMMIT;
