-- transaction 1 of 1 (statements 1-6): ACCESS EXCLUSIVE lock on "My Schema"."T"
BEGIN;
-- statement 1 of 6 (migra, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
create schema if not exists "My Schema";
-- statement 2 of 6 (migra, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
create sequence "My Schema"."S q";
-- statement 3 of 6 (migra, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
create table "My Schema"."T" (
    "id" integer not null
);
-- statement 4 of 6 (migra, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
CREATE UNIQUE INDEX "T_pkey" ON "My Schema"."T" USING btree (id);
-- statement 5 of 6 (migra, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
alter table "My Schema"."T" add constraint "T_pkey" PRIMARY KEY using index "T_pkey";
-- statement 6 of 6 (catalog, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
ALTER SEQUENCE "My Schema"."S q" AS bigint INCREMENT BY 1 MINVALUE 2 MAXVALUE 9223372036854775807 START WITH 2 CACHE 1 NO CYCLE RESTART;
COMMIT;
