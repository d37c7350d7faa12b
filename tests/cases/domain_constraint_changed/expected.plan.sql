-- transaction 1 of 1 (statements 1-3): no table lock
BEGIN;
-- statement 1 of 3 (catalog, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
ALTER DOMAIN public.confidence DROP CONSTRAINT confidence_range;
-- statement 2 of 3 (catalog, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
ALTER DOMAIN public.confidence ADD CONSTRAINT confidence_range CHECK (VALUE >= 0::double precision AND VALUE <= 100::double precision) NOT VALID;
-- statement 3 of 3 (catalog, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
ALTER DOMAIN public.confidence VALIDATE CONSTRAINT confidence_range;
COMMIT;
