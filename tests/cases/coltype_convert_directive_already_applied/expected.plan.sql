-- transaction 1 of 1 (statement 1): ACCESS EXCLUSIVE lock on public."Member"
BEGIN;
-- statement 1 of 1 (migra, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
alter table "public"."Member" alter column "isActive" set default 'INACTIVE'::public."MemberState";
COMMIT;
