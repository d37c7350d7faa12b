-- transaction 1 of 1 (statements 1-5): ACCESS EXCLUSIVE lock on archive.segments
BEGIN;
-- statement 1 of 5 (migra, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
create schema if not exists "archive";
-- statement 2 of 5 (migra, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
create table "archive"."segments" (
    "id" integer not null,
    "removed_at" timestamp with time zone not null default now()
);
-- statement 3 of 5 (migra, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
CREATE UNIQUE INDEX segments_pkey ON archive.segments USING btree (id);
-- statement 4 of 5 (migra, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
alter table "archive"."segments" add constraint "segments_pkey" PRIMARY KEY using index "segments_pkey";
-- statement 5 of 5 (comments, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
COMMENT ON SCHEMA archive IS 'rows removed by data fixes';
COMMIT;
