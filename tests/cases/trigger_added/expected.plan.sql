-- transaction 1 of 1 (statements 1-4): SHARE ROW EXCLUSIVE lock on public.sources
BEGIN;
-- statement 1 of 4 (migra, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
set check_function_bodies = off;
-- statement 2 of 4 (migra, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
CREATE OR REPLACE FUNCTION public.touch()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$ BEGIN NEW.last_updated = now(); RETURN NEW; END $function$;
-- statement 3 of 4 (migra, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
CREATE TRIGGER sources_touch BEFORE UPDATE ON public.sources FOR EACH ROW EXECUTE FUNCTION public.touch();
-- statement 4 of 4 (comments, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
COMMENT ON TRIGGER sources_touch ON public.sources IS 'keeps last_updated current';
COMMIT;
