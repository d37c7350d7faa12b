-- transaction 1 of 1 (statements 1-2): ACCESS EXCLUSIVE lock on public.sources
BEGIN;
-- statement 1 of 2 (migra, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
drop trigger if exists "sources_touch" on "public"."sources";
-- statement 2 of 2 (migra, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
CREATE TRIGGER sources_touch BEFORE UPDATE ON public.sources FOR EACH ROW WHEN ((old.title IS DISTINCT FROM new.title)) EXECUTE FUNCTION public.touch();
COMMIT;
