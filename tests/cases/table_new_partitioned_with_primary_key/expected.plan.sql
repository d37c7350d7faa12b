-- transaction 1 of 1 (statements 1-8): ACCESS EXCLUSIVE lock on public.events, public.events_kind, public.events_2025
BEGIN;
-- statement 1 of 8 (migra, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
create table "public"."events" (
    "id" integer not null,
    "at" date not null,
    "kind" text
) partition by RANGE (at);
-- statement 2 of 8 (migra, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
create table "public"."events_2025" partition of "public"."events" FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
-- statement 3 of 8 (migra, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
CREATE INDEX events_2025_kind_idx ON public.events_2025 USING btree (kind);
-- statement 4 of 8 (migra, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
CREATE UNIQUE INDEX events_2025_pkey ON public.events_2025 USING btree (id, at);
-- statement 5 of 8 (migra, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
CREATE INDEX events_kind ON ONLY public.events USING btree (kind);
-- statement 6 of 8 (catalog, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
ALTER INDEX public.events_kind ATTACH PARTITION public.events_2025_kind_idx;
-- statement 7 of 8 (migra, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
alter table "public"."events_2025" add constraint "events_2025_pkey" PRIMARY KEY using index "events_2025_pkey";
-- statement 8 of 8 (catalog, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
ALTER TABLE public.events ADD CONSTRAINT events_pkey PRIMARY KEY (id, at);
COMMIT;
