-- transaction 1 of 1 (statements 1-2): ACCESS EXCLUSIVE lock on public.marker
BEGIN;
-- statement 1 of 2 (migra, in the transaction); hazards: DATA_LOSS
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
alter table "public"."marker" drop column "a";
-- statement 2 of 2 (migra, in the transaction); hazards: DATA_LOSS
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
alter table "public"."marker" drop column "b";
COMMIT;
