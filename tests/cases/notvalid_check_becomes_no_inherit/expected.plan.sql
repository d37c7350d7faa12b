-- transaction 1 of 2 (statements 1-2): ACCESS EXCLUSIVE lock on public.t
BEGIN;
-- statement 1 of 3 (migra, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
alter table "public"."t" drop constraint "t_x";
-- statement 2 of 3 (migra, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
alter table "public"."t" add constraint "t_x" CHECK ((x > 0)) NO INHERIT not valid;
COMMIT;

-- transaction 2 of 2 (statement 3): SHARE UPDATE EXCLUSIVE lock on public.t
BEGIN;
-- statement 3 of 3 (migra, in the transaction); hazards: CONSTRAINT_VALIDATION
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
alter table "public"."t" validate constraint "t_x";
COMMIT;
