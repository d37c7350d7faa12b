-- transaction 1 of 1 (statements 1-3): ACCESS EXCLUSIVE lock on public."Task"
BEGIN;
-- statement 1 of 3 (catalog, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
ALTER TABLE public."Task" ALTER COLUMN "taskStatus" DROP DEFAULT;
-- statement 2 of 3 (migra, in the transaction); hazards: ACCESS_EXCLUSIVE_LOCK, TABLE_REWRITE
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
alter table "public"."Task" alter column "taskStatus" set data type public."TaskStatus" using "taskStatus"::text::public."TaskStatus";
-- statement 3 of 3 (catalog, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
ALTER TABLE public."Task" ALTER COLUMN "taskStatus" SET DEFAULT 'OPEN'::public."TaskStatus";
COMMIT;
