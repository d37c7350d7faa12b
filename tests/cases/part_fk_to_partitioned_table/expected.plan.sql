-- transaction 1 of 2 (statement 1): SHARE ROW EXCLUSIVE lock on public.notes, public.events
BEGIN;
-- statement 1 of 2 (migra, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
alter table "public"."notes" add constraint "notes_event" FOREIGN KEY (event_id, event_at) REFERENCES public.events(id, at) not valid;
COMMIT;

-- transaction 2 of 2 (statement 2): SHARE UPDATE EXCLUSIVE lock on public.notes
BEGIN;
-- statement 2 of 2 (migra, in the transaction); hazards: CONSTRAINT_VALIDATION
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
alter table "public"."notes" validate constraint "notes_event";
COMMIT;
