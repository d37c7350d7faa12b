-- transaction 1 of 1 (statements 1-2): no table lock
BEGIN;
-- statement 1 of 2 (migra, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
set check_function_bodies = off;
-- statement 2 of 2 (migra, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
CREATE OR REPLACE FUNCTION public.clamp(x double precision)
 RETURNS double precision
 LANGUAGE plpgsql
AS $function$ BEGIN RETURN least(greatest(x, 0), 1); END $function$;
COMMIT;
