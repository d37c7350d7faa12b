-- transaction 1 of 1 (statements 1-2): SHARE ROW EXCLUSIVE lock on public.ticket_seq
BEGIN;
-- statement 1 of 2 (catalog, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
SELECT setval('public.ticket_seq', LEAST(GREATEST(last_value, 1), 2147483647), is_called AND last_value BETWEEN 1 AND 2147483647) FROM public.ticket_seq;
-- statement 2 of 2 (catalog, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
ALTER SEQUENCE public.ticket_seq AS integer INCREMENT BY 5 MINVALUE 1 MAXVALUE 2147483647 START WITH 1000 CACHE 10 NO CYCLE;
COMMIT;
