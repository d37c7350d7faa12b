-- transaction 1 of 1 (statement 1): ACCESS EXCLUSIVE lock on public.sources
BEGIN;
-- statement 1 of 1 (migra, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
create policy "own_sources"
on "public"."sources"
as permissive
for all
to public
using ((owner IN ( SELECT o.name
   FROM public.owners o
  WHERE (o.name = CURRENT_USER))));
COMMIT;
