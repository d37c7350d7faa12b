-- transaction 1 of 1 (statement 1): no table lock
BEGIN;
-- statement 1 of 1 (catalog, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
CREATE OR REPLACE FUNCTION public.clamp(x double precision)
 RETURNS double precision
 LANGUAGE sql
BEGIN ATOMIC
 SELECT LEAST(GREATEST(x, (0)::double precision), (1)::double precision) AS "least";
END;
COMMIT;
