-- transaction 1 of 1 (statement 1): SHARE UPDATE EXCLUSIVE lock on public.titles
BEGIN;
-- statement 1 of 1 (catalog, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
ALTER VIEW public.titles SET (security_invoker=true);
COMMIT;
