-- transaction 1 of 1 (statements 1-6): ACCESS EXCLUSIVE lock on public."Article"
BEGIN;
-- statement 1 of 6 (catalog, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
ALTER TABLE public."Article" ALTER COLUMN "articleTags" DROP DEFAULT;
-- statement 2 of 6 (migra, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
alter type "public"."Tag" rename to "Tag__old_version_to_be_dropped";
-- statement 3 of 6 (migra, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
create type "public"."Tag" as enum ('NEW', 'HOT');
-- statement 4 of 6 (catalog, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
ALTER TABLE public."Article" ALTER COLUMN "articleTags" TYPE public."Tag"[] USING "articleTags"::text[]::public."Tag"[];
-- statement 5 of 6 (catalog, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
ALTER TABLE public."Article" ALTER COLUMN "articleTags" SET DEFAULT '{NEW}'::public."Tag"[];
-- statement 6 of 6 (migra, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
drop type "public"."Tag__old_version_to_be_dropped";
COMMIT;
