-- Extensions: name and schema are compared; the version is information, not drift
-- (production may run another build of pgvector than the scratch server). Its comment
-- comes from the extension's control file with CREATE EXTENSION, so it is not managed.
SELECT quote_ident(e.extname) AS key, n.nspname AS schema, e.extname AS name, NULL AS parent,
       jsonb_build_object('schema', n.nspname) AS definition,
       jsonb_build_object('version', e.extversion) AS info,
       NULL AS comment,
       NULL AS comment_target
FROM pg_extension e
JOIN pg_namespace n ON n.oid = e.extnamespace
