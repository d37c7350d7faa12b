-- transaction 1 of 2 (statements 1-3): ACCESS EXCLUSIVE lock on public."Event"
BEGIN;
-- statement 1 of 4 (migra, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
alter table "public"."Event" add column "durationS" double precision generated always as (EXTRACT(epoch FROM ("endsAt" - "startsAt"))) stored;
-- statement 2 of 4 (migra, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
alter table "public"."Event" alter column "startsAt" set default now();
-- statement 3 of 4 (migra, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
alter table "public"."Event" add constraint "Event_endsAfterStart" CHECK (("endsAt" > "startsAt")) not valid;
COMMIT;

-- transaction 2 of 2 (statement 4): SHARE UPDATE EXCLUSIVE lock on public."Event"
BEGIN;
-- statement 4 of 4 (migra, in the transaction); hazards: CONSTRAINT_VALIDATION
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
alter table "public"."Event" validate constraint "Event_endsAfterStart";
COMMIT;
