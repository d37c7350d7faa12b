-- transaction 1 of 1 (statement 1): SHARE ROW EXCLUSIVE lock on public.c, public.p
BEGIN;
-- statement 1 of 1 (catalog, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
alter table "public"."c" add constraint "c_p" FOREIGN KEY (p_id) REFERENCES public.p(id) NOT VALID;
COMMIT;
