-- transaction 1 of 1 (statements 1-2): ACCESS EXCLUSIVE lock on public.segments
BEGIN;
-- statement 1 of 2 (catalog, in the transaction); hazards: DATA_LOSS
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
ALTER TABLE public.segments DROP COLUMN duration;
-- statement 2 of 2 (catalog, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
ALTER TABLE public.segments ADD COLUMN duration double precision GENERATED ALWAYS AS ((round(((end_sec - start_sec))::numeric, 2))::double precision) STORED;
COMMIT;
