-- transaction 1 of 1 (statements 1-8): ACCESS EXCLUSIVE lock on public.expensive_counts, public.expensive_ids, public.prices
BEGIN;
-- statement 1 of 8 (catalog, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
DROP MATERIALIZED VIEW public.expensive_counts;
-- statement 2 of 8 (catalog, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
DROP VIEW public.expensive_ids;
-- statement 3 of 8 (migra, in the transaction); hazards: ACCESS_EXCLUSIVE_LOCK, TABLE_REWRITE
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
alter table "public"."prices" alter column "amount" set data type numeric(10,2) using "amount"::numeric(10,2);
-- statement 4 of 8 (catalog, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
CREATE VIEW public.expensive_ids WITH (security_barrier=true) AS SELECT id
   FROM public.prices
  WHERE amount > 100::numeric;
-- statement 5 of 8 (catalog, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
CREATE MATERIALIZED VIEW public.expensive_counts AS SELECT count(*) AS n
   FROM public.expensive_ids;
-- statement 6 of 8 (catalog, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
CREATE UNIQUE INDEX expensive_counts_n ON public.expensive_counts USING btree (n);
-- statement 7 of 8 (comments, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
COMMENT ON INDEX public.expensive_counts_n IS 'for REFRESH CONCURRENTLY';
-- statement 8 of 8 (comments, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
COMMENT ON VIEW public.expensive_ids IS 'ids of prices over 100';
COMMIT;
