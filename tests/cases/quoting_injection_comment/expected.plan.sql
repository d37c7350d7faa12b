-- transaction 1 of 1 (statements 1-2): SHARE UPDATE EXCLUSIVE lock on public.t
BEGIN;
-- statement 1 of 2 (comments, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
COMMENT ON COLUMN public.t.x IS 'x''); DROP TABLE foo; --';
-- statement 2 of 2 (comments, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
COMMENT ON TABLE public.t IS 'x''); DROP TABLE foo; --';
COMMIT;
