-- transaction 1 of 2 (statement 1, outside a transaction block): no table lock
-- statement 1 of 2 (catalog, outside a transaction); hazards: none
SET lock_timeout = '3000ms';
SET statement_timeout = '0ms';
ALTER TYPE public."Visibility" ADD VALUE 'UNLISTED' AFTER 'PUBLIC';

-- transaction 2 of 2 (statement 2): ACCESS EXCLUSIVE lock on public."Post"
BEGIN;
-- statement 2 of 2 (migra, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
alter table "public"."Post" alter column "postVisibility" set default 'UNLISTED'::public."Visibility";
COMMIT;
