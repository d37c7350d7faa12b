-- transaction 1 of 1 (statements 1-7): ACCESS EXCLUSIVE lock on public."User", public."Invite"
BEGIN;
-- statement 1 of 7 (migra, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
alter table "public"."User" alter column "userRole" drop default;
-- statement 2 of 7 (migra, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
alter type "public"."Role" rename to "Role__old_version_to_be_dropped";
-- statement 3 of 7 (migra, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
create type "public"."Role" as enum ('USER', 'ADMIN');
-- statement 4 of 7 (migra, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
alter table "public"."Invite" alter column "invitedAs" type "public"."Role" using "invitedAs"::text::"public"."Role";
-- statement 5 of 7 (migra, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
alter table "public"."User" alter column "userRole" type "public"."Role" using "userRole"::text::"public"."Role";
-- statement 6 of 7 (migra, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
alter table "public"."User" alter column "userRole" set default 'USER'::public."Role";
-- statement 7 of 7 (migra, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
drop type "public"."Role__old_version_to_be_dropped";
COMMIT;
