-- transaction 1 of 2 (statements 1-9): ACCESS EXCLUSIVE lock on public.items, public.items_region_id
BEGIN;
-- statement 1 of 10 (migra, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
create table "public"."items" (
    "id" integer not null,
    "region" text not null
) partition by LIST (region);
-- statement 2 of 10 (migra, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
create table "public"."items_eu" partition of "public"."items" FOR VALUES IN ('eu');
-- statement 3 of 10 (migra, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
create table "public"."items_us" partition of "public"."items" FOR VALUES IN ('us');
-- statement 4 of 10 (migra, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
CREATE INDEX items_eu_region_id_idx ON public.items_eu USING btree (region, id);
-- statement 5 of 10 (migra, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
CREATE INDEX items_region_id ON ONLY public.items USING btree (region, id);
-- statement 6 of 10 (catalog, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
ALTER INDEX public.items_region_id ATTACH PARTITION public.items_eu_region_id_idx;
-- statement 7 of 10 (migra, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
CREATE INDEX items_us_region_id_idx ON public.items_us USING btree (region, id);
-- statement 8 of 10 (catalog, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
ALTER INDEX public.items_region_id ATTACH PARTITION public.items_us_region_id_idx;
-- statement 9 of 10 (migra, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
alter table "public"."items" add constraint "items_id_positive" CHECK ((id > 0)) not valid;
COMMIT;

-- transaction 2 of 2 (statement 10): SHARE UPDATE EXCLUSIVE lock on public.items
BEGIN;
-- statement 10 of 10 (migra, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
alter table "public"."items" validate constraint "items_id_positive";
COMMIT;
