-- Schemas (namespaces) created by users; extension-owned ones are left out.
SELECT quote_ident(n.nspname) AS key, n.nspname AS schema, n.nspname AS name, NULL AS parent,
       '{}'::jsonb AS definition, '{}'::jsonb AS info,
       (SELECT d.description FROM pg_description d WHERE d.objoid = n.oid
          AND d.classoid = 'pg_catalog.pg_namespace'::regclass AND d.objsubid = 0) AS comment,
       format('SCHEMA %I', n.nspname) AS comment_target
FROM pg_namespace n
WHERE n.nspname <> 'information_schema' AND n.nspname NOT LIKE 'pg\_%'
  AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.classid = 'pg_namespace'::regclass
                  AND d.objid = n.oid AND d.deptype = 'e')
