-- transaction 1 of 1 (statements 1-4): ACCESS EXCLUSIVE lock on public."Member"
BEGIN;
-- statement 1 of 4 (migra, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
create type "public"."MemberState" as enum ('ACTIVE', 'INACTIVE');
-- statement 2 of 4 (catalog, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
ALTER TABLE public."Member" ALTER COLUMN "isActive" DROP DEFAULT;
-- statement 3 of 4 (catalog, in the transaction); hazards: ACCESS_EXCLUSIVE_LOCK, TABLE_REWRITE
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
ALTER TABLE public."Member" ALTER COLUMN "isActive" TYPE public."MemberState" USING CAST(CASE WHEN "isActive" THEN 'ACTIVE' ELSE 'INACTIVE' END AS "MemberState");
-- statement 4 of 4 (catalog, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
ALTER TABLE public."Member" ALTER COLUMN "isActive" SET DEFAULT 'ACTIVE'::public."MemberState";
COMMIT;
