-- User types: enums (labels in order), domains, composite and range types.
-- `info.functions` lists the functions that take or return the type.
SELECT format('%I.%I', n.nspname, t.typname) AS key, n.nspname AS schema, t.typname AS name,
       NULL AS parent,
       CASE t.typtype
         WHEN 'e' THEN jsonb_build_object('kind', 'enum', 'labels',
              (SELECT jsonb_agg(e.enumlabel ORDER BY e.enumsortorder)
               FROM pg_enum e WHERE e.enumtypid = t.oid))
         WHEN 'd' THEN jsonb_build_object('kind', 'domain',
              'base', format_type(t.typbasetype, t.typtypmod),
              'collation', CASE WHEN t.typcollation <> (SELECT b.typcollation FROM pg_type b WHERE b.oid = t.typbasetype)
                                THEN (SELECT format('%I.%I', cn.nspname, co.collname)
                                      FROM pg_collation co JOIN pg_namespace cn ON cn.oid = co.collnamespace
                                      WHERE co.oid = t.typcollation) END,
              'not_null', t.typnotnull, 'default', t.typdefault,
              'constraints', (SELECT jsonb_object_agg(co.conname, pg_get_constraintdef(co.oid, true))
                              FROM pg_constraint co WHERE co.contypid = t.oid AND co.contype = 'c'))
         WHEN 'c' THEN jsonb_build_object('kind', 'composite', 'attributes',
              (SELECT jsonb_agg(jsonb_build_array(a.attname, format_type(a.atttypid, a.atttypmod))
                                ORDER BY a.attnum)
               FROM pg_attribute a
               WHERE a.attrelid = t.typrelid AND a.attnum > 0 AND NOT a.attisdropped))
         ELSE jsonb_build_object('kind', 'range', 'subtype',
              (SELECT format_type(r.rngsubtype, NULL) FROM pg_range r WHERE r.rngtypid = t.oid))
       END AS definition,
       jsonb_build_object('functions', (
         SELECT jsonb_agg(DISTINCT format('%I.%I(%s)', pn.nspname, p.proname,
                                          pg_get_function_identity_arguments(p.oid)))
         FROM pg_depend d JOIN pg_proc p ON p.oid = d.objid JOIN pg_namespace pn ON pn.oid = p.pronamespace
         WHERE d.classid = 'pg_proc'::regclass AND d.refclassid = 'pg_type'::regclass AND d.refobjid = t.oid
       )) AS info,
       (SELECT d.description FROM pg_description d WHERE d.objoid = t.oid
          AND d.classoid = 'pg_catalog.pg_type'::regclass AND d.objsubid = 0) AS comment,
       format('%s %I.%I', CASE t.typtype WHEN 'd' THEN 'DOMAIN' ELSE 'TYPE' END,
              n.nspname, t.typname) AS comment_target
FROM pg_type t
JOIN pg_namespace n ON n.oid = t.typnamespace
WHERE t.typtype IN ('e', 'd', 'c', 'r')
  AND (t.typtype <> 'c' OR (SELECT c.relkind FROM pg_class c WHERE c.oid = t.typrelid) = 'c')
  AND n.nspname <> 'information_schema' AND n.nspname NOT LIKE 'pg\_%'
  AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.classid = 'pg_type'::regclass
                  AND d.objid = t.oid AND d.deptype = 'e')
