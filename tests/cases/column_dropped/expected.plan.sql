-- transaction 1 of 2 (statement 1, outside a transaction block): no table lock
-- statement 1 of 4 (catalog, outside a transaction); hazards: none
SET lock_timeout = '3000ms';
SET statement_timeout = '0ms';
DO $pgproof$
DECLARE
    pgproof_k0 public.sources.id%TYPE;
    pgproof_first boolean := true;
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
    INSERT INTO pgproof.kept (archive, kind, table_name, column_name, key_columns) VALUES ('e096b970:public.sources.legacy_flag', 'column', 'public.sources', 'legacy_flag', ARRAY['id']::text[]) ON CONFLICT DO NOTHING;
    COMMIT;
    LOOP
        IF pgproof_first THEN
            WITH pgproof_b AS MATERIALIZED (SELECT pgproof_t.id, pgproof_t.legacy_flag FROM public.sources AS pgproof_t ORDER BY pgproof_t.id LIMIT 10000),
            pgproof_i AS (INSERT INTO pgproof.kept_values (archive, key, row) SELECT 'e096b970:public.sources.legacy_flag', row(pgproof_b.id)::text, json_build_object('id', pgproof_b.id, 'legacy_flag', pgproof_b.legacy_flag) FROM pgproof_b WHERE pgproof_b.legacy_flag IS NOT NULL ON CONFLICT DO NOTHING)
            SELECT pgproof_b.id INTO pgproof_k0 FROM pgproof_b ORDER BY pgproof_b.id DESC LIMIT 1;
        ELSE
            WITH pgproof_b AS MATERIALIZED (SELECT pgproof_t.id, pgproof_t.legacy_flag FROM public.sources AS pgproof_t WHERE (pgproof_t.id) > (pgproof_k0) ORDER BY pgproof_t.id LIMIT 10000),
            pgproof_i AS (INSERT INTO pgproof.kept_values (archive, key, row) SELECT 'e096b970:public.sources.legacy_flag', row(pgproof_b.id)::text, json_build_object('id', pgproof_b.id, 'legacy_flag', pgproof_b.legacy_flag) FROM pgproof_b WHERE pgproof_b.legacy_flag IS NOT NULL ON CONFLICT DO NOTHING)
            SELECT pgproof_b.id INTO pgproof_k0 FROM pgproof_b ORDER BY pgproof_b.id DESC LIMIT 1;
        END IF;
        EXIT WHEN NOT FOUND;
        pgproof_first := false;
        COMMIT;
    END LOOP;
END
$pgproof$;

-- transaction 2 of 2 (statements 2-4): ACCESS EXCLUSIVE lock on public.sources
BEGIN;
-- statement 2 of 4 (catalog, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
LOCK TABLE public.sources IN ACCESS EXCLUSIVE MODE;
-- statement 3 of 4 (catalog, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
INSERT INTO pgproof.kept_values (archive, key, row) SELECT 'e096b970:public.sources.legacy_flag', row(pgproof_t.id)::text, json_build_object('id', pgproof_t.id, 'legacy_flag', pgproof_t.legacy_flag) FROM public.sources AS pgproof_t WHERE age(pgproof_t.xmin) <= (SELECT age(started) FROM pgproof.kept WHERE archive = 'e096b970:public.sources.legacy_flag') ON CONFLICT (archive, key) DO UPDATE SET row = EXCLUDED.row;
-- statement 4 of 4 (migra, in the transaction); hazards: DATA_LOSS
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
alter table "public"."sources" drop column "legacy_flag";
COMMIT;
