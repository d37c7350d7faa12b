-- transaction 1 of 1 (statements 1-2): ACCESS EXCLUSIVE lock on public."Document"
BEGIN;
-- statement 1 of 2 (migra, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
drop policy "ownerReads" on "public"."Document";
-- statement 2 of 2 (migra, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
create policy "ownerReads"
on "public"."Document"
as permissive
for select
to public
using ((("ownerId" = 1) OR "isPublic"));
COMMIT;
