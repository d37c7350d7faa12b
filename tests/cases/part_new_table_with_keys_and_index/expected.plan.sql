-- transaction 1 of 1 (statements 1-18): ACCESS EXCLUSIVE lock on public.events, public.events_kind, public.events_kind_at, public.events_2025, public.events_2026
BEGIN;
-- statement 1 of 18 (migra, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
create table "public"."events" (
    "id" integer not null,
    "at" date not null,
    "kind" text
) partition by RANGE (at);
-- statement 2 of 18 (migra, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
create table "public"."events_2025" partition of "public"."events" FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
-- statement 3 of 18 (migra, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
create table "public"."events_2026" partition of "public"."events" FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
-- statement 4 of 18 (migra, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
CREATE UNIQUE INDEX events_2025_kind_at_idx ON public.events_2025 USING btree (kind, at);
-- statement 5 of 18 (migra, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
CREATE INDEX events_2025_kind_idx ON public.events_2025 USING btree (kind);
-- statement 6 of 18 (migra, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
CREATE UNIQUE INDEX events_2025_pkey ON public.events_2025 USING btree (id, at);
-- statement 7 of 18 (migra, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
CREATE UNIQUE INDEX events_2026_kind_at_idx ON public.events_2026 USING btree (kind, at);
-- statement 8 of 18 (migra, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
CREATE INDEX events_2026_kind_idx ON public.events_2026 USING btree (kind);
-- statement 9 of 18 (migra, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
CREATE UNIQUE INDEX events_2026_pkey ON public.events_2026 USING btree (id, at);
-- statement 10 of 18 (migra, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
CREATE INDEX events_kind ON ONLY public.events USING btree (kind);
-- statement 11 of 18 (catalog, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
ALTER INDEX public.events_kind ATTACH PARTITION public.events_2025_kind_idx;
-- statement 12 of 18 (catalog, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
ALTER INDEX public.events_kind ATTACH PARTITION public.events_2026_kind_idx;
-- statement 13 of 18 (migra, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
CREATE UNIQUE INDEX events_kind_at ON ONLY public.events USING btree (kind, at);
-- statement 14 of 18 (catalog, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
ALTER INDEX public.events_kind_at ATTACH PARTITION public.events_2025_kind_at_idx;
-- statement 15 of 18 (catalog, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
ALTER INDEX public.events_kind_at ATTACH PARTITION public.events_2026_kind_at_idx;
-- statement 16 of 18 (migra, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
alter table "public"."events_2025" add constraint "events_2025_pkey" PRIMARY KEY using index "events_2025_pkey";
-- statement 17 of 18 (migra, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
alter table "public"."events_2026" add constraint "events_2026_pkey" PRIMARY KEY using index "events_2026_pkey";
-- statement 18 of 18 (catalog, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
ALTER TABLE public.events ADD CONSTRAINT events_pkey PRIMARY KEY (id, at);
COMMIT;
