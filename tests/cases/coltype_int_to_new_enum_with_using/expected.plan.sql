-- transaction 1 of 1 (statements 1-4): ACCESS EXCLUSIVE lock on public.items
BEGIN;
-- statement 1 of 4 (migra, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
create type "public"."mood" as enum ('calm', 'busy');
-- statement 2 of 4 (catalog, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
ALTER TABLE public.items ALTER COLUMN mood DROP DEFAULT;
-- statement 3 of 4 (catalog, in the transaction); hazards: ACCESS_EXCLUSIVE_LOCK, TABLE_REWRITE
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
ALTER TABLE public.items ALTER COLUMN mood TYPE public.mood USING CAST((ARRAY['calm', 'busy'])[mood + 1] AS mood);
-- statement 4 of 4 (catalog, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
ALTER TABLE public.items ALTER COLUMN mood SET DEFAULT 'calm'::public.mood;
COMMIT;
