-- transaction 1 of 1 (statements 1-4): ACCESS EXCLUSIVE lock on public."My Table"
BEGIN;
-- statement 1 of 4 (migra, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
create table "public"."My Table" (
    "Column One" integer not null,
    "select" text,
    "a""b" text
);
-- statement 2 of 4 (migra, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
CREATE INDEX "My Index" ON public."My Table" USING btree ("select");
-- statement 3 of 4 (migra, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
CREATE UNIQUE INDEX "My Table_pkey" ON public."My Table" USING btree ("Column One");
-- statement 4 of 4 (migra, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
alter table "public"."My Table" add constraint "My Table_pkey" PRIMARY KEY using index "My Table_pkey";
COMMIT;
