-- transaction 1 of 1 (statements 1-6): ACCESS EXCLUSIVE lock on public.recent, public.events
BEGIN;
-- statement 1 of 6 (catalog, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
DROP VIEW public.recent;
-- statement 2 of 6 (catalog, in the transaction); hazards: DATA_LOSS
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
DO $pgproof$
DECLARE
    pgproof_r record;
    pgproof_new text;
    pgproof_renamed jsonb := '{}';
BEGIN
    CREATE SCHEMA IF NOT EXISTS pgproof;
    CREATE TABLE IF NOT EXISTS pgproof.kept (
        archive     text PRIMARY KEY,
        kind        text NOT NULL,
        table_name  text NOT NULL,
        column_name text NOT NULL,
        key_columns text[] NOT NULL,
        started     xid NOT NULL DEFAULT (txid_current() % 4294967296)::text::xid,
        kept_at     timestamptz NOT NULL DEFAULT now()
    );
    CREATE TABLE IF NOT EXISTS pgproof.kept_values (
        archive text NOT NULL,
        key     text NOT NULL,
        row     json NOT NULL,
        PRIMARY KEY (archive, key)
    );
    CREATE TABLE IF NOT EXISTS pgproof.trash (
        name        text PRIMARY KEY,
        schema_name text NOT NULL,
        table_name  text NOT NULL,
        renamed     jsonb NOT NULL DEFAULT '{}',
        trashed_at  timestamptz NOT NULL DEFAULT now()
    );
    CREATE SCHEMA IF NOT EXISTS pgproof_trash;
    FOR pgproof_r IN SELECT conname FROM pg_constraint WHERE conrelid = 'public.events'::regclass AND contype = 'f' LOOP
        EXECUTE format('ALTER TABLE public.events DROP CONSTRAINT %I', pgproof_r.conname);
    END LOOP;
    FOR pgproof_r IN SELECT c.relname, c.relkind FROM pg_class c
        WHERE c.oid IN (SELECT indexrelid FROM pg_index WHERE indrelid = 'public.events'::regclass)
           OR (c.relkind = 'S' AND c.oid IN (SELECT objid FROM pg_depend WHERE classid = 'pg_class'::regclass
               AND refobjid = 'public.events'::regclass AND deptype IN ('a', 'i'))) LOOP
        pgproof_new := left(pgproof_r.relname, 53) || '__8d21d525';
        EXECUTE format('ALTER %s %I.%I RENAME TO %I', CASE WHEN pgproof_r.relkind = 'S' THEN 'SEQUENCE' ELSE 'INDEX' END, 'public', pgproof_r.relname, pgproof_new);
        pgproof_renamed := pgproof_renamed || jsonb_build_object(pgproof_new, pgproof_r.relname);
    END LOOP;
    ALTER TABLE public.events RENAME TO events__8d21d525;
    ALTER TABLE public.events__8d21d525 SET SCHEMA pgproof_trash;
    INSERT INTO pgproof.trash (name, schema_name, table_name, renamed) VALUES ('events__8d21d525', 'public', 'events', pgproof_renamed);
END
$pgproof$;
-- statement 3 of 6 (migra, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
create table "public"."events" (
    "id" integer not null,
    "at" date not null,
    "kind" text
) partition by RANGE (at);
-- statement 4 of 6 (migra, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
create table "public"."events_2025" partition of "public"."events" FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
-- statement 5 of 6 (migra, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
create table "public"."events_2026" partition of "public"."events" FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
-- statement 6 of 6 (catalog, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
CREATE VIEW public.recent AS SELECT id,
    kind
   FROM public.events;
COMMIT;
