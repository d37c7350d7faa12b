-- transaction 1 of 2 (statements 1-2): ACCESS EXCLUSIVE lock on public.c
BEGIN;
-- statement 1 of 3 (migra, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
alter table "public"."c" drop constraint "c_p";
-- statement 2 of 3 (migra, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
alter table "public"."c" add constraint "c_p" FOREIGN KEY (p_id) REFERENCES public.p(id) not valid;
COMMIT;

-- transaction 2 of 2 (statement 3): SHARE UPDATE EXCLUSIVE lock on public.c
BEGIN;
-- statement 3 of 3 (migra, in the transaction); hazards: CONSTRAINT_VALIDATION
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
alter table "public"."c" validate constraint "c_p";
COMMIT;
