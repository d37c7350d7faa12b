-- transaction 1 of 1 (statements 1-4): ACCESS EXCLUSIVE lock on public.api_cache
BEGIN;
-- statement 1 of 4 (migra, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
create unlogged table "public"."api_cache" (
    "id" integer not null,
    "data" jsonb
);
-- statement 2 of 4 (catalog, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
ALTER TABLE public.api_cache SET (fillfactor=80, autovacuum_enabled=false);
-- statement 3 of 4 (migra, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
CREATE UNIQUE INDEX api_cache_pkey ON public.api_cache USING btree (id);
-- statement 4 of 4 (migra, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
alter table "public"."api_cache" add constraint "api_cache_pkey" PRIMARY KEY using index "api_cache_pkey";
COMMIT;
