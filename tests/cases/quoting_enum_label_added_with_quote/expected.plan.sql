-- transaction 1 of 1 (statement 1, outside a transaction block): no table lock
-- statement 1 of 1 (catalog, outside a transaction); hazards: none
SET lock_timeout = '3000ms';
SET statement_timeout = '0ms';
ALTER TYPE public.answer ADD VALUE 'o''clock' AFTER 'yes';
