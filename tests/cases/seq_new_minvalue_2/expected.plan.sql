-- transaction 1 of 1 (statements 1-2): SHARE ROW EXCLUSIVE lock on public.counter
BEGIN;
-- statement 1 of 2 (migra, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
create sequence "public"."counter";
-- statement 2 of 2 (catalog, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
ALTER SEQUENCE public.counter AS bigint INCREMENT BY 1 MINVALUE 2 MAXVALUE 9223372036854775807 START WITH 2 CACHE 1 NO CYCLE RESTART;
COMMIT;
