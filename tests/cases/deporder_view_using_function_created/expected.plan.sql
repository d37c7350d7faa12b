-- transaction 1 of 1 (statements 1-3): ACCESS EXCLUSIVE lock on public.a_v
BEGIN;
-- statement 1 of 3 (migra, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
set check_function_bodies = off;
-- statement 2 of 3 (migra, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
CREATE OR REPLACE FUNCTION public.z_inner(x integer)
 RETURNS integer
 LANGUAGE sql
 IMMUTABLE
BEGIN ATOMIC
 SELECT (x + 1);
END;
-- statement 3 of 3 (migra, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
create or replace view "public"."a_v" as  SELECT public.z_inner(x) AS y
   FROM public.t;
COMMIT;
