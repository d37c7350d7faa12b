-- transaction 1 of 1 (statements 1-3): no table lock
BEGIN;
-- statement 1 of 3 (migra, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
set check_function_bodies = off;
-- statement 2 of 3 (catalog, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
DROP FUNCTION public.segment_count(v text);
-- statement 3 of 3 (migra, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
CREATE OR REPLACE FUNCTION public.segment_count(v text)
 RETURNS bigint
 LANGUAGE sql
AS $function$ SELECT 1::bigint $function$;
COMMIT;
