-- Columns of tables and views: type, nullability, default, identity, generation, collation.
SELECT format('%I.%I.%I', n.nspname, c.relname, a.attname) AS key, n.nspname AS schema,
       a.attname AS name, format('%I.%I', n.nspname, c.relname) AS parent,
       jsonb_build_object(
         'type', format_type(a.atttypid, a.atttypmod),
         'not_null', a.attnotnull,
         'default', CASE WHEN a.attgenerated = '' THEN pg_get_expr(ad.adbin, ad.adrelid) END,
         'generated', CASE WHEN a.attgenerated <> ''
                           THEN a.attgenerated::text || ' ' || pg_get_expr(ad.adbin, ad.adrelid) END,
         'identity', NULLIF(a.attidentity::text, ''),
         'collation', CASE WHEN a.attcollation <> t.typcollation
                           THEN (SELECT format('%I.%I', cn.nspname, co.collname)
                                 FROM pg_collation co JOIN pg_namespace cn ON cn.oid = co.collnamespace
                                 WHERE co.oid = a.attcollation) END
       ) AS definition,
       jsonb_build_object('position', a.attnum) AS info,
       (SELECT d.description FROM pg_description d WHERE d.objoid = c.oid
          AND d.classoid = 'pg_catalog.pg_class'::regclass AND d.objsubid = a.attnum) AS comment,
       format('COLUMN %I.%I.%I', n.nspname, c.relname, a.attname) AS comment_target
FROM pg_attribute a
JOIN pg_class c ON c.oid = a.attrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_type t ON t.oid = a.atttypid
LEFT JOIN pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
WHERE a.attnum > 0 AND NOT a.attisdropped
  AND c.relkind IN ('r', 'p', 'f', 'v', 'm') AND n.nspname <> 'information_schema' AND n.nspname NOT LIKE 'pg\_%'
  AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.classid = 'pg_class'::regclass
                  AND d.objid = c.oid AND d.deptype = 'e')
