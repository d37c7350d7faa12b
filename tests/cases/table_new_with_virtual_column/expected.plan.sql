-- transaction 1 of 1 (statements 1-5): ACCESS EXCLUSIVE lock on public.segments
BEGIN;
-- statement 1 of 5 (migra, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
create table "public"."segments" (
    "id" integer not null,
    "start_sec" double precision not null,
    "end_sec" double precision not null,
    "duration" double precision generated always as ((end_sec - start_sec)) stored
);
-- statement 2 of 5 (catalog, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
ALTER TABLE public.segments DROP COLUMN duration;
-- statement 3 of 5 (catalog, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
ALTER TABLE public.segments ADD COLUMN duration double precision GENERATED ALWAYS AS ((end_sec - start_sec)) VIRTUAL;
-- statement 4 of 5 (migra, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
CREATE UNIQUE INDEX segments_pkey ON public.segments USING btree (id);
-- statement 5 of 5 (migra, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
alter table "public"."segments" add constraint "segments_pkey" PRIMARY KEY using index "segments_pkey";
COMMIT;
