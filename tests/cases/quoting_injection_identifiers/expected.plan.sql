-- transaction 1 of 1 (statements 1-2): SHARE lock on public."x""); DROP TABLE foo; --"
BEGIN;
-- statement 1 of 2 (migra, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
create table "public"."x""); DROP TABLE foo; --" (
    "x""); DROP TABLE foo; --" integer
);
-- statement 2 of 2 (migra, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
CREATE INDEX "x""); DROP TABLE foo; -- i" ON public."x""); DROP TABLE foo; --" USING btree ("x""); DROP TABLE foo; --");
COMMIT;
