-- transaction 1 of 3 (statement 1): ACCESS EXCLUSIVE lock on public.segments
BEGIN;
-- statement 1 of 4 (migra, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
ALTER TABLE public.segments ADD CONSTRAINT pgproof_nn_speaker_label CHECK (speaker_label IS NOT NULL) NOT VALID;
COMMIT;

-- transaction 2 of 3 (statement 2): SHARE UPDATE EXCLUSIVE lock on public.segments
BEGIN;
-- statement 2 of 4 (migra, in the transaction); hazards: CONSTRAINT_VALIDATION
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
ALTER TABLE public.segments VALIDATE CONSTRAINT pgproof_nn_speaker_label;
COMMIT;

-- transaction 3 of 3 (statements 3-4): ACCESS EXCLUSIVE lock on public.segments
BEGIN;
-- statement 3 of 4 (migra, in the transaction); hazards: ACCESS_EXCLUSIVE_LOCK
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
ALTER TABLE public.segments ALTER COLUMN speaker_label SET NOT NULL;
-- statement 4 of 4 (migra, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
ALTER TABLE public.segments DROP CONSTRAINT pgproof_nn_speaker_label;
COMMIT;
