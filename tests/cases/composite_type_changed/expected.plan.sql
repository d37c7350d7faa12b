-- transaction 1 of 1 (statements 1-2): no table lock
BEGIN;
-- statement 1 of 2 (migra, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
drop type "public"."span";
-- statement 2 of 2 (migra, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
create type "public"."span" as ("start_sec" double precision, "end_sec" double precision, "label" text);
COMMIT;
