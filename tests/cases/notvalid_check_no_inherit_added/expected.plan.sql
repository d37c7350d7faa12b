-- transaction 1 of 2 (statement 1): ACCESS EXCLUSIVE lock on public.t
BEGIN;
-- statement 1 of 2 (migra, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
alter table "public"."t" add constraint "t_x" CHECK ((x > 0)) NO INHERIT not valid;
COMMIT;

-- transaction 2 of 2 (statement 2): SHARE UPDATE EXCLUSIVE lock on public.t
BEGIN;
-- statement 2 of 2 (migra, in the transaction); hazards: CONSTRAINT_VALIDATION
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
alter table "public"."t" validate constraint "t_x";
COMMIT;
