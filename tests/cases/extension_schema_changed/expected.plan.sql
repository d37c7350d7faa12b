-- transaction 1 of 1 (statements 1-2): no table lock
BEGIN;
-- statement 1 of 2 (migra, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
create schema if not exists "extensions";
-- statement 2 of 2 (catalog, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
ALTER EXTENSION vector SET SCHEMA extensions;
COMMIT;
