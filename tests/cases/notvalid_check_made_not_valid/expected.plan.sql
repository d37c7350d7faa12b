-- transaction 1 of 1 (statements 1-2): ACCESS EXCLUSIVE lock on public.t
BEGIN;
-- statement 1 of 2 (migra, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
alter table "public"."t" drop constraint "t_x";
-- statement 2 of 2 (catalog, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
alter table "public"."t" add constraint "t_x" CHECK ((x > 0)) NOT VALID;
COMMIT;
