-- transaction 1 of 1 (statements 1-3): ACCESS EXCLUSIVE lock on public.status_counts
BEGIN;
-- statement 1 of 3 (migra, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
drop materialized view if exists "public"."status_counts";
-- statement 2 of 3 (migra, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
create materialized view "public"."status_counts" as  SELECT status,
    count(*) AS n,
    max(id) AS last_id
   FROM public.sources
  GROUP BY status;
-- statement 3 of 3 (catalog, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
CREATE UNIQUE INDEX status_counts_status ON public.status_counts USING btree (status);
COMMIT;
