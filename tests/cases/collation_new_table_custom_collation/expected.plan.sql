-- transaction 1 of 1 (statements 1-3): SHARE lock on public.people
BEGIN;
-- statement 1 of 3 (migra, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
create collation if not exists "public"."names_c" (provider = 'libc', locale = 'C');
-- statement 2 of 3 (catalog, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
CREATE TABLE public.people (name text COLLATE public.names_c, nick text COLLATE pg_catalog."C");
-- statement 3 of 3 (migra, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
CREATE INDEX people_name ON public.people USING btree (name);
COMMIT;
