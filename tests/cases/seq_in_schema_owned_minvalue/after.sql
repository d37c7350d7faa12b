CREATE SCHEMA billing;
CREATE TABLE billing.invoices (no bigint);
CREATE SEQUENCE billing.invoice_no MINVALUE 1000 START 1000 OWNED BY billing.invoices.no;
ALTER TABLE billing.invoices ALTER COLUMN no SET DEFAULT nextval('billing.invoice_no');
