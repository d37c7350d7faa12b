-- transaction 1 of 1 (statement 1): ACCESS EXCLUSIVE lock on new public.t
BEGIN;
-- statement 1 of 1 (catalog, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
CREATE TABLE public.t (title text COLLATE pg_catalog."C", body varchar(20) COLLATE pg_catalog."POSIX");
COMMIT;
