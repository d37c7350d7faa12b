-- transaction 1 of 1 (statement 1): ACCESS EXCLUSIVE lock on public.t
BEGIN;
-- statement 1 of 1 (catalog, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
alter table "public"."t" add constraint "t_x" CHECK ((x > 0)) NOT VALID;
COMMIT;
