-- transaction 1 of 1 (statement 1): SHARE ROW EXCLUSIVE lock on public.events, public.kinds
BEGIN;
-- statement 1 of 1 (catalog, in the transaction); hazards: ACCESS_EXCLUSIVE_LOCK
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
alter table "public"."events" add constraint "events_kind_fk" FOREIGN KEY (kind) REFERENCES public.kinds(name);
COMMIT;
