-- transaction 1 of 2 (statements 1-2): no table lock
BEGIN;
-- statement 1 of 3 (migra, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
set check_function_bodies = off;
-- statement 2 of 3 (migra, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
CREATE OR REPLACE FUNCTION public.z_norm(x text)
 RETURNS text
 LANGUAGE sql
 IMMUTABLE
RETURN lower(x);
COMMIT;

-- transaction 2 of 2 (statement 3, outside a transaction block): SHARE UPDATE EXCLUSIVE lock on public.t
-- statement 3 of 3 (migra, outside a transaction); hazards: none
SET lock_timeout = '3000ms';
SET statement_timeout = '0ms';
CREATE INDEX CONCURRENTLY IF NOT EXISTS t_norm ON public.t ((public.z_norm(x)));
