-- transaction 1 of 1 (statements 1-6): ACCESS EXCLUSIVE lock on public."Order"
BEGIN;
-- statement 1 of 6 (migra, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
alter table "public"."Order" alter column "orderStatus" drop default;
-- statement 2 of 6 (migra, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
alter type "public"."OrderStatus" rename to "OrderStatus__old_version_to_be_dropped";
-- statement 3 of 6 (migra, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
create type "public"."OrderStatus" as enum ('PENDING', 'SHIPPED');
-- statement 4 of 6 (migra, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
alter table "public"."Order" alter column "orderStatus" type "public"."OrderStatus" using "orderStatus"::text::"public"."OrderStatus";
-- statement 5 of 6 (migra, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
alter table "public"."Order" alter column "orderStatus" set default 'PENDING'::public."OrderStatus";
-- statement 6 of 6 (migra, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
drop type "public"."OrderStatus__old_version_to_be_dropped";
COMMIT;
