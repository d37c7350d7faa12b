-- transaction 1 of 1 (statements 1-2): ACCESS EXCLUSIVE lock on public.notes
BEGIN;
-- statement 1 of 2 (migra, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
drop policy "notes_owner" on "public"."notes";
-- statement 2 of 2 (migra, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
create policy "notes_owner"
on "public"."notes"
as permissive
for all
to public
using ((owner = CURRENT_USER))
with check ((owner = CURRENT_USER));
COMMIT;
