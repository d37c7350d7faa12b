-- Tables (plain, partitioned, foreign): their own properties; columns, indexes and
-- constraints are separate objects. Column order is not compared: ADD COLUMN cannot choose it.
SELECT format('%I.%I', n.nspname, c.relname) AS key, n.nspname AS schema, c.relname AS name,
       NULL AS parent,
       jsonb_build_object(
         'relkind', c.relkind::text,
         'persistence', c.relpersistence::text,
         'options', to_jsonb(c.reloptions),
         'row_security', c.relrowsecurity,
         'force_row_security', c.relforcerowsecurity,
         'partition_key', CASE WHEN c.relkind = 'p' THEN pg_get_partkeydef(c.oid) END,
         'partition_bound', CASE WHEN c.relispartition THEN pg_get_expr(c.relpartbound, c.oid) END,
         'inherits', (SELECT jsonb_agg(i.inhparent::regclass::text ORDER BY i.inhseqno)
                      FROM pg_inherits i WHERE i.inhrelid = c.oid)
       ) AS definition,
       '{}'::jsonb AS info,
       (SELECT d.description FROM pg_description d WHERE d.objoid = c.oid
          AND d.classoid = 'pg_catalog.pg_class'::regclass AND d.objsubid = 0) AS comment,
       format('%s %I.%I', CASE c.relkind WHEN 'f' THEN 'FOREIGN TABLE' ELSE 'TABLE' END,
              n.nspname, c.relname) AS comment_target
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p', 'f') AND n.nspname <> 'information_schema' AND n.nspname NOT LIKE 'pg\_%'
  AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.classid = 'pg_class'::regclass
                  AND d.objid = c.oid AND d.deptype = 'e')
