-- transaction 1 of 1 (statements 1-4): ACCESS EXCLUSIVE lock on public."Subscription"
BEGIN;
-- statement 1 of 4 (migra, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
create type "public"."PlanKind" as enum ('free', 'pro');
-- statement 2 of 4 (catalog, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
ALTER TABLE public."Subscription" ALTER COLUMN "planKind" DROP DEFAULT;
-- statement 3 of 4 (migra, in the transaction); hazards: ACCESS_EXCLUSIVE_LOCK, TABLE_REWRITE
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
alter table "public"."Subscription" alter column "planKind" set data type public."PlanKind" using "planKind"::public."PlanKind";
-- statement 4 of 4 (catalog, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
ALTER TABLE public."Subscription" ALTER COLUMN "planKind" SET DEFAULT 'free'::public."PlanKind";
COMMIT;
