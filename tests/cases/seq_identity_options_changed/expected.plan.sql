-- transaction 1 of 1 (statements 1-2): SHARE ROW EXCLUSIVE lock on public.tickets_id_seq
BEGIN;
-- statement 1 of 2 (catalog, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
SELECT setval('public.tickets_id_seq', LEAST(GREATEST(last_value, 50), 2147483647), is_called AND last_value BETWEEN 50 AND 2147483647) FROM public.tickets_id_seq;
-- statement 2 of 2 (catalog, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
ALTER SEQUENCE public.tickets_id_seq AS integer INCREMENT BY 2 MINVALUE 50 MAXVALUE 2147483647 START WITH 50 CACHE 1 NO CYCLE;
COMMIT;
