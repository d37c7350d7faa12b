-- transaction 1 of 1 (statement 1): SHARE ROW EXCLUSIVE lock on public.ticket_no
BEGIN;
-- statement 1 of 1 (migra, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
alter sequence "public"."ticket_no" owned by "public"."tickets"."no";
COMMIT;
