-- transaction 1 of 1 (statements 1-2): SHARE ROW EXCLUSIVE lock on public.countdown
BEGIN;
-- statement 1 of 2 (migra, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
create sequence "public"."countdown";
-- statement 2 of 2 (catalog, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
ALTER SEQUENCE public.countdown AS bigint INCREMENT BY -1 MINVALUE -100 MAXVALUE -1 START WITH -1 CACHE 1 NO CYCLE RESTART;
COMMIT;
