-- transaction 1 of 1 (statements 1-3): ACCESS EXCLUSIVE lock on public.t
BEGIN;
-- statement 1 of 3 (migra, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
set check_function_bodies = off;
-- statement 2 of 3 (migra, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
CREATE OR REPLACE FUNCTION public.z_seven()
 RETURNS integer
 LANGUAGE sql
 IMMUTABLE
AS $function$SELECT 7$function$;
-- statement 3 of 3 (migra, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
alter table "public"."t" alter column "x" set default public.z_seven();
COMMIT;
