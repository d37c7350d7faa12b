-- transaction 1 of 1 (statement 1): ACCESS EXCLUSIVE lock on public.api_cache
BEGIN;
-- statement 1 of 1 (migra, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
alter table "public"."api_cache" set unlogged;
COMMIT;
