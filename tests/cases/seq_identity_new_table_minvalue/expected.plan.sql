-- transaction 1 of 1 (statements 1-4): ACCESS EXCLUSIVE lock on public.tickets
BEGIN;
-- statement 1 of 4 (migra, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
create table "public"."tickets" (
    "id" integer generated always as identity not null,
    "title" text
);
-- statement 2 of 4 (migra, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
CREATE UNIQUE INDEX tickets_pkey ON public.tickets USING btree (id);
-- statement 3 of 4 (migra, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
alter table "public"."tickets" add constraint "tickets_pkey" PRIMARY KEY using index "tickets_pkey";
-- statement 4 of 4 (catalog, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
ALTER SEQUENCE public.tickets_id_seq AS integer INCREMENT BY 1 MINVALUE 5 MAXVALUE 2147483647 START WITH 10 CACHE 1 NO CYCLE RESTART;
COMMIT;
