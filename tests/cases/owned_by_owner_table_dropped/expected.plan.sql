-- transaction 1 of 1 (statements 1-2): SHARE ROW EXCLUSIVE lock on public.ticket_no
BEGIN;
-- statement 1 of 2 (migra, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
alter sequence "public"."ticket_no" owned by none;
-- statement 2 of 2 (catalog, in the transaction); hazards: DATA_LOSS
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
    FOR pgproof_r IN SELECT conname FROM pg_constraint WHERE conrelid = 'public.a'::regclass AND contype = 'f' LOOP
        EXECUTE format('ALTER TABLE public.a DROP CONSTRAINT %I', pgproof_r.conname);
    END LOOP;
    FOR pgproof_r IN SELECT c.relname, c.relkind FROM pg_class c
        WHERE c.oid IN (SELECT indexrelid FROM pg_index WHERE indrelid = 'public.a'::regclass)
           OR (c.relkind = 'S' AND c.oid IN (SELECT objid FROM pg_depend WHERE classid = 'pg_class'::regclass
               AND refobjid = 'public.a'::regclass AND deptype IN ('a', 'i'))) LOOP
        pgproof_new := left(pgproof_r.relname, 53) || '__4592c88b';
        EXECUTE format('ALTER %s %I.%I RENAME TO %I', CASE WHEN pgproof_r.relkind = 'S' THEN 'SEQUENCE' ELSE 'INDEX' END, 'public', pgproof_r.relname, pgproof_new);
        pgproof_renamed := pgproof_renamed || jsonb_build_object(pgproof_new, pgproof_r.relname);
    END LOOP;
    ALTER TABLE public.a RENAME TO a__4592c88b;
    ALTER TABLE public.a__4592c88b SET SCHEMA pgproof_trash;
    INSERT INTO pgproof.trash (name, schema_name, table_name, renamed) VALUES ('a__4592c88b', 'public', 'a', pgproof_renamed);
END
$pgproof$;
COMMIT;
