-- transaction 1 of 1 (statements 1-4): ACCESS EXCLUSIVE lock on public.sources
BEGIN;
-- statement 1 of 4 (migra, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
alter type "public"."status" rename to "status__old_version_to_be_dropped";
-- statement 2 of 4 (migra, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
create type "public"."status" as enum ('pending', 'completed');
-- statement 3 of 4 (migra, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
alter table "public"."sources" alter column status type "public"."status" using status::text::"public"."status";
-- statement 4 of 4 (migra, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
drop type "public"."status__old_version_to_be_dropped";
COMMIT;
