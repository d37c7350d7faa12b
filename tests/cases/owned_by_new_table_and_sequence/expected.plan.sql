-- transaction 1 of 1 (statements 1-4): SHARE ROW EXCLUSIVE lock on public."Ticket No"
BEGIN;
-- statement 1 of 4 (migra, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
create sequence "public"."Ticket No";
-- statement 2 of 4 (migra, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
create table "public"."Tickets" (
    "no" integer default nextval('public."Ticket No"'::regclass)
);
-- statement 3 of 4 (migra, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
alter sequence "public"."Ticket No" owned by "public"."Tickets"."no";
-- statement 4 of 4 (catalog, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
ALTER SEQUENCE public."Ticket No" AS bigint INCREMENT BY 1 MINVALUE 5 MAXVALUE 9223372036854775807 START WITH 5 CACHE 1 NO CYCLE RESTART;
COMMIT;
