-- transaction 1 of 4 (statement 1, outside a transaction block): SHARE UPDATE EXCLUSIVE lock on public."Orders"
-- statement 1 of 4 (migra, outside a transaction); hazards: none
SET lock_timeout = '3000ms';
SET statement_timeout = '0ms';
CREATE INDEX CONCURRENTLY IF NOT EXISTS "Orders by Total" ON public."Orders" ("Total");

-- transaction 2 of 4 (statement 2): ACCESS EXCLUSIVE lock on public."Orders"
BEGIN;
-- statement 2 of 4 (migra, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
alter table "public"."Orders" add constraint "Total > 0" CHECK (("Total" > 0)) not valid;
COMMIT;

-- transaction 3 of 4 (statement 3): SHARE UPDATE EXCLUSIVE lock on public."Orders"
BEGIN;
-- statement 3 of 4 (migra, in the transaction); hazards: CONSTRAINT_VALIDATION
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
alter table "public"."Orders" validate constraint "Total > 0";
COMMIT;

-- transaction 4 of 4 (statement 4): SHARE ROW EXCLUSIVE lock on public."Orders"
BEGIN;
-- statement 4 of 4 (migra, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
CREATE TRIGGER "Stamp Orders" BEFORE INSERT ON public."Orders" FOR EACH ROW EXECUTE FUNCTION public."Stamp It"();
COMMIT;
