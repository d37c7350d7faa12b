-- transaction 1 of 1 (statements 1-3): SHARE ROW EXCLUSIVE lock on public.ticket_no
BEGIN;
-- statement 1 of 3 (migra, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
create sequence "public"."ticket_no";
-- statement 2 of 3 (migra, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
create table "public"."tickets" (
    "no" integer not null default nextval('public.ticket_no'::regclass)
);
-- statement 3 of 3 (catalog, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
ALTER SEQUENCE public.ticket_no AS bigint INCREMENT BY 1 MINVALUE 7 MAXVALUE 9223372036854775807 START WITH 7 CACHE 1 NO CYCLE RESTART;
COMMIT;
