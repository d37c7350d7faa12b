-- transaction 1 of 1 (statements 1-2): SHARE ROW EXCLUSIVE lock on public.ring
BEGIN;
-- statement 1 of 2 (migra, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
create sequence "public"."ring";
-- statement 2 of 2 (catalog, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
ALTER SEQUENCE public.ring AS smallint INCREMENT BY 1 MINVALUE 2 MAXVALUE 30000 START WITH 2 CACHE 1 CYCLE RESTART;
COMMIT;
