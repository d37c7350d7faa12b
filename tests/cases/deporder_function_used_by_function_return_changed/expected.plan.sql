-- transaction 1 of 1 (statements 1-5): no table lock
BEGIN;
-- statement 1 of 5 (migra, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
set check_function_bodies = off;
-- statement 2 of 5 (catalog, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
DROP FUNCTION public.a_outer(x integer);
-- statement 3 of 5 (catalog, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
DROP FUNCTION public.z_inner(x integer);
-- statement 4 of 5 (migra, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
CREATE OR REPLACE FUNCTION public.z_inner(x integer)
 RETURNS bigint
 LANGUAGE sql
 IMMUTABLE
BEGIN ATOMIC
 SELECT (x + 1);
END;
-- statement 5 of 5 (migra, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
CREATE OR REPLACE FUNCTION public.a_outer(x integer)
 RETURNS bigint
 LANGUAGE sql
 IMMUTABLE
BEGIN ATOMIC
 SELECT (public.z_inner(x) * 2);
END;
COMMIT;
