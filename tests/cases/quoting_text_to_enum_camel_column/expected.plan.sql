-- transaction 1 of 1 (statements 1-3): ACCESS EXCLUSIVE lock on public."Order"
BEGIN;
-- statement 1 of 3 (catalog, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
ALTER TABLE public."Order" ALTER COLUMN "orderStatus" DROP DEFAULT;
-- statement 2 of 3 (migra, in the transaction); hazards: ACCESS_EXCLUSIVE_LOCK, TABLE_REWRITE
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
alter table "public"."Order" alter column "orderStatus" set data type public."OrderStatus" using "orderStatus"::public."OrderStatus";
-- statement 3 of 3 (catalog, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
ALTER TABLE public."Order" ALTER COLUMN "orderStatus" SET DEFAULT 'PENDING'::public."OrderStatus";
COMMIT;
