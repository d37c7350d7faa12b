-- transaction 1 of 1 (statement 1): SHARE ROW EXCLUSIVE lock on public.events
BEGIN;
-- statement 1 of 1 (migra, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
CREATE TRIGGER events_stamp BEFORE INSERT ON public.events FOR EACH ROW EXECUTE FUNCTION public.stamp();
COMMIT;
