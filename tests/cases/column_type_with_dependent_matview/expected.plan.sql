-- transaction 1 of 1 (statements 1-4): ACCESS EXCLUSIVE lock on public.totals, public.prices
BEGIN;
-- statement 1 of 4 (migra, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
drop materialized view if exists "public"."totals";
-- statement 2 of 4 (migra, in the transaction); hazards: ACCESS_EXCLUSIVE_LOCK, TABLE_REWRITE
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
alter table "public"."prices" alter column "amount" set data type numeric(12,2) using "amount"::numeric(12,2);
-- statement 3 of 4 (migra, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
create materialized view "public"."totals" as  SELECT id,
    amount
   FROM public.prices;
-- statement 4 of 4 (catalog, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
CREATE UNIQUE INDEX totals_id ON public.totals USING btree (id);
COMMIT;
