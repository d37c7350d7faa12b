-- transaction 1 of 1 (statements 1-6): ACCESS EXCLUSIVE lock on public."Ticket"
BEGIN;
-- statement 1 of 6 (migra, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
alter table "public"."Ticket" alter column "ticketPriority" drop default;
-- statement 2 of 6 (migra, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
alter type "public"."Priority" rename to "Priority__old_version_to_be_dropped";
-- statement 3 of 6 (migra, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
create type "public"."Priority" as enum ('LOW', 'MEDIUM', 'HIGH');
-- statement 4 of 6 (migra, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
alter table "public"."Ticket" alter column "ticketPriority" type "public"."Priority" using "ticketPriority"::text::"public"."Priority";
-- statement 5 of 6 (migra, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
drop type "public"."Priority__old_version_to_be_dropped";
-- statement 6 of 6 (migra, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
alter table "public"."Ticket" alter column "ticketPriority" set default 'MEDIUM'::public."Priority";
COMMIT;
