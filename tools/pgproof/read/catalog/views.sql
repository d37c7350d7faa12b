-- Views and materialized views: definition as the server normalises it, and options
-- such as security_invoker. `info.depends_on` lists the relations and columns the view
-- reads (from its rewrite rule), so a column type change can drop and re-create it;
-- `info.populated` is false for a materialized view created (or left) WITH NO DATA.
SELECT format('%I.%I', n.nspname, c.relname) AS key, n.nspname AS schema, c.relname AS name,
       NULL AS parent,
       jsonb_build_object(
         'materialized', c.relkind = 'm',
         'definition', pg_get_viewdef(c.oid, true),
         'options', to_jsonb(c.reloptions)
       ) AS definition,
       jsonb_build_object('populated', c.relispopulated, 'depends_on', (
         SELECT jsonb_agg(DISTINCT dep ORDER BY dep)
         FROM (SELECT format('%I.%I', rn.nspname, rc.relname) AS rel,
                      CASE WHEN d.refobjsubid > 0
                           THEN format('%I.%I.%I', rn.nspname, rc.relname, ra.attname) END AS col
               FROM pg_rewrite r
               JOIN pg_depend d ON d.classid = 'pg_rewrite'::regclass AND d.objid = r.oid
                               AND d.refclassid = 'pg_class'::regclass AND d.refobjid <> c.oid
               JOIN pg_class rc ON rc.oid = d.refobjid
               JOIN pg_namespace rn ON rn.oid = rc.relnamespace
               LEFT JOIN pg_attribute ra ON ra.attrelid = rc.oid AND ra.attnum = d.refobjsubid
               WHERE r.ev_class = c.oid) refs
         CROSS JOIN LATERAL (VALUES (refs.rel), (refs.col)) deps(dep)
         WHERE dep IS NOT NULL
       )) AS info,
       (SELECT d.description FROM pg_description d WHERE d.objoid = c.oid
          AND d.classoid = 'pg_catalog.pg_class'::regclass AND d.objsubid = 0) AS comment,
       format('%s %I.%I', CASE c.relkind WHEN 'm' THEN 'MATERIALIZED VIEW' ELSE 'VIEW' END,
              n.nspname, c.relname) AS comment_target
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('v', 'm') AND n.nspname <> 'information_schema' AND n.nspname NOT LIKE 'pg\_%'
  AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.classid = 'pg_class'::regclass
                  AND d.objid = c.oid AND d.deptype = 'e')
