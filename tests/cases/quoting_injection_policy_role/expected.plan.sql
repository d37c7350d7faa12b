-- transaction 1 of 1 (statements 1-2): ACCESS EXCLUSIVE lock on public.t
BEGIN;
-- statement 1 of 2 (migra, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
alter table "public"."t" enable row level security;
-- statement 2 of 2 (migra, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
create policy "p"
on "public"."t"
as permissive
for select
to "x'); DROP TABLE foo; --"
using (true);
COMMIT;
