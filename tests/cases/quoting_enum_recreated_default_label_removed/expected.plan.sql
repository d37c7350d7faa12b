-- transaction 1 of 1 (statements 1-6): ACCESS EXCLUSIVE lock on public."Account"
BEGIN;
-- statement 1 of 6 (migra, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
alter table "public"."Account" alter column "planKind" drop default;
-- statement 2 of 6 (migra, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
alter type "public"."PlanKind" rename to "PlanKind__old_version_to_be_dropped";
-- statement 3 of 6 (migra, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
create type "public"."PlanKind" as enum ('free', 'pro');
-- statement 4 of 6 (migra, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
alter table "public"."Account" alter column "planKind" type "public"."PlanKind" using "planKind"::text::"public"."PlanKind";
-- statement 5 of 6 (migra, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
drop type "public"."PlanKind__old_version_to_be_dropped";
-- statement 6 of 6 (migra, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
alter table "public"."Account" alter column "planKind" set default 'free'::public."PlanKind";
COMMIT;
