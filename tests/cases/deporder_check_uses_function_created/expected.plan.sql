-- transaction 1 of 2 (statements 1-4): ACCESS EXCLUSIVE lock on public.a_t
BEGIN;
-- statement 1 of 5 (migra, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
create table "public"."a_t" (
    "x" integer
);
-- statement 2 of 5 (migra, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
set check_function_bodies = off;
-- statement 3 of 5 (migra, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
CREATE OR REPLACE FUNCTION public.z_positive(x integer)
 RETURNS boolean
 LANGUAGE sql
 IMMUTABLE
AS $function$SELECT x > 0$function$;
-- statement 4 of 5 (migra, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
alter table "public"."a_t" add constraint "a_t_x_check" CHECK (public.z_positive(x)) not valid;
COMMIT;

-- transaction 2 of 2 (statement 5): SHARE UPDATE EXCLUSIVE lock on public.a_t
BEGIN;
-- statement 5 of 5 (migra, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
alter table "public"."a_t" validate constraint "a_t_x_check";
COMMIT;
