-- transaction 1 of 3 (statement 1): ACCESS EXCLUSIVE lock on public.tags
BEGIN;
-- statement 1 of 3 (migra, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
alter table "public"."tags" drop constraint "tags_owner_name";
COMMIT;

-- transaction 2 of 3 (statement 2, outside a transaction block): SHARE UPDATE EXCLUSIVE lock on public.tags
-- statement 2 of 3 (catalog, outside a transaction); hazards: none
SET lock_timeout = '3000ms';
SET statement_timeout = '0ms';
CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS tags_owner_name ON public.tags (owner, name) NULLS NOT DISTINCT;

-- transaction 3 of 3 (statement 3): ACCESS EXCLUSIVE lock on public.tags
BEGIN;
-- statement 3 of 3 (migra, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
alter table "public"."tags" add constraint "tags_owner_name" UNIQUE using index "tags_owner_name";
COMMIT;
