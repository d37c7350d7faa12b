-- transaction 1 of 1 (statements 1-2): SHARE ROW EXCLUSIVE lock on public.counter
BEGIN;
-- statement 1 of 2 (catalog, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
SELECT setval('public.counter', LEAST(GREATEST(last_value, 10), 9223372036854775807), is_called AND last_value BETWEEN 10 AND 9223372036854775807) FROM public.counter;
-- statement 2 of 2 (catalog, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
ALTER SEQUENCE public.counter AS bigint INCREMENT BY 1 MINVALUE 10 MAXVALUE 9223372036854775807 START WITH 10 CACHE 1 NO CYCLE;
COMMIT;
