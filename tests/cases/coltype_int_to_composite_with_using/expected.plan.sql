-- transaction 1 of 1 (statement 1): ACCESS EXCLUSIVE lock on public."Invoice"
BEGIN;
-- statement 1 of 1 (catalog, in the transaction); hazards: ACCESS_EXCLUSIVE_LOCK, TABLE_REWRITE
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
ALTER TABLE public."Invoice" ALTER COLUMN total TYPE public."Money" USING CAST(ROW(total, 'EUR') AS "Money");
COMMIT;
