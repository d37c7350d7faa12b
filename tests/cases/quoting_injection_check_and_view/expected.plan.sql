-- transaction 1 of 3 (statement 1): ACCESS EXCLUSIVE lock on public.t
BEGIN;
-- statement 1 of 3 (migra, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
alter table "public"."t" add constraint "t_x" CHECK ((x <> 'x''); DROP TABLE foo; --'::text)) not valid;
COMMIT;

-- transaction 2 of 3 (statement 2): SHARE UPDATE EXCLUSIVE lock on public.t
BEGIN;
-- statement 2 of 3 (migra, in the transaction); hazards: CONSTRAINT_VALIDATION
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
alter table "public"."t" validate constraint "t_x";
COMMIT;

-- transaction 3 of 3 (statement 3): ACCESS EXCLUSIVE lock on public.v
BEGIN;
-- statement 3 of 3 (migra, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
create or replace view "public"."v" as  SELECT x,
    'x''); DROP TABLE foo; --'::text AS y
   FROM public.t;
COMMIT;
