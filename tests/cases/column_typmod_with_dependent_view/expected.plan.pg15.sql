-- transaction 1 of 1 (statements 1-5): ACCESS EXCLUSIVE lock on public.expensive, public.prices
BEGIN;
-- statement 1 of 5 (catalog, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
DROP VIEW public.expensive;
-- statement 2 of 5 (migra, in the transaction); hazards: ACCESS_EXCLUSIVE_LOCK, TABLE_REWRITE
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
alter table "public"."prices" alter column "amount" set data type numeric(10,2) using "amount"::numeric(10,2);
-- statement 3 of 5 (migra, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
create or replace view "public"."expensive" as  SELECT prices.id,
    prices.amount
   FROM public.prices
  WHERE (prices.amount > (100)::numeric);
-- statement 4 of 5 (comments, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
COMMENT ON COLUMN public.expensive.amount IS 'in euros';
-- statement 5 of 5 (comments, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
COMMENT ON VIEW public.expensive IS 'prices over 100';
COMMIT;
