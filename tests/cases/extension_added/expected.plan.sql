-- transaction 1 of 1 (statements 1-4): ACCESS EXCLUSIVE lock on public.segments
BEGIN;
-- statement 1 of 4 (migra, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
create extension if not exists "vector" with schema "public";
-- statement 2 of 4 (migra, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
create table "public"."segments" (
    "id" integer not null,
    "embedding" public.vector(3)
);
-- statement 3 of 4 (migra, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
CREATE UNIQUE INDEX segments_pkey ON public.segments USING btree (id);
-- statement 4 of 4 (migra, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
alter table "public"."segments" add constraint "segments_pkey" PRIMARY KEY using index "segments_pkey";
COMMIT;
