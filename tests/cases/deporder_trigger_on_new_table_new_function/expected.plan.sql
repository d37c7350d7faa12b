-- transaction 1 of 1 (statements 1-4): SHARE ROW EXCLUSIVE lock on public.a_events
BEGIN;
-- statement 1 of 4 (migra, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
create table "public"."a_events" (
    "kind" text
);
-- statement 2 of 4 (migra, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
set check_function_bodies = off;
-- statement 3 of 4 (migra, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
CREATE OR REPLACE FUNCTION public.z_stamp()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$ BEGIN NEW.kind := coalesce(NEW.kind, 'none'); RETURN NEW; END $function$;
-- statement 4 of 4 (migra, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
CREATE TRIGGER a_events_stamp BEFORE INSERT ON public.a_events FOR EACH ROW EXECUTE FUNCTION public.z_stamp();
COMMIT;
