CREATE SCHEMA billing;
CREATE TABLE billing.invoices (no bigint);
