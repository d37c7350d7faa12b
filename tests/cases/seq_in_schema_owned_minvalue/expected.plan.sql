-- transaction 1 of 1 (statements 1-4): ACCESS EXCLUSIVE lock on billing.invoices
BEGIN;
-- statement 1 of 4 (migra, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
create sequence "billing"."invoice_no";
-- statement 2 of 4 (migra, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
alter table "billing"."invoices" alter column "no" set default nextval('billing.invoice_no'::regclass);
-- statement 3 of 4 (migra, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
alter sequence "billing"."invoice_no" owned by "billing"."invoices"."no";
-- statement 4 of 4 (catalog, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
ALTER SEQUENCE billing.invoice_no AS bigint INCREMENT BY 1 MINVALUE 1000 MAXVALUE 9223372036854775807 START WITH 1000 CACHE 1 NO CYCLE RESTART;
COMMIT;
