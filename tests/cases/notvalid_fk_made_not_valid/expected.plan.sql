-- transaction 1 of 1 (statements 1-2): ACCESS EXCLUSIVE lock on public.c
BEGIN;
-- statement 1 of 2 (migra, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
alter table "public"."c" drop constraint "c_p";
-- statement 2 of 2 (catalog, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
alter table "public"."c" add constraint "c_p" FOREIGN KEY (p_id) REFERENCES public.p(id) NOT VALID;
COMMIT;
