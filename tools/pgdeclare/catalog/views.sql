-- Views and materialized views: definition as the server normalises it, and options
-- such as security_invoker.
SELECT format('%I.%I', n.nspname, c.relname) AS key, n.nspname AS schema, c.relname AS name,
       NULL AS parent,
       jsonb_build_object(
         'materialized', c.relkind = 'm',
         'definition', pg_get_viewdef(c.oid, true),
         'options', to_jsonb(c.reloptions)
       ) AS definition,
       '{}'::jsonb AS info,
       obj_description(c.oid, 'pg_class') AS comment,
       format('%s %I.%I', CASE c.relkind WHEN 'm' THEN 'MATERIALIZED VIEW' ELSE 'VIEW' END,
              n.nspname, c.relname) AS comment_target
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('v', 'm') AND n.nspname <> 'information_schema' AND n.nspname NOT LIKE 'pg\_%'
  AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.classid = 'pg_class'::regclass
                  AND d.objid = c.oid AND d.deptype = 'e')
