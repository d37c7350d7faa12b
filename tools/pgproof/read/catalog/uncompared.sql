-- Objects of kinds pgproof does not compare (read/uncompared.py names them): one row per
-- object, (kind, schema or NULL, name). Built-in objects (oid below 16384, the first
-- user oid) and objects an extension created (pg_depend deptype 'e') are left out: they
-- come with the server or with the extension. Default privileges are privileges: compared
-- for the managed roles (privileges.sql), left alone for the others like their GRANTs.
WITH mine AS (
  SELECT n.oid, n.nspname FROM pg_namespace n
  WHERE n.nspname <> 'information_schema' AND n.nspname NOT LIKE 'pg\_%'
)
SELECT 'publication' AS kind, NULL AS schema, p.pubname::text AS name
FROM pg_publication p
UNION ALL
SELECT 'subscription', NULL, s.subname::text
FROM pg_subscription s WHERE s.subdbid = (SELECT oid FROM pg_database WHERE datname = current_database())
UNION ALL
SELECT 'foreign data wrapper', NULL, w.fdwname::text
FROM pg_foreign_data_wrapper w
WHERE w.oid >= 16384
  AND NOT EXISTS (SELECT FROM pg_depend e WHERE e.classid = 'pg_foreign_data_wrapper'::regclass
                  AND e.objid = w.oid AND e.deptype = 'e')
UNION ALL
SELECT 'foreign server', NULL, s.srvname::text
FROM pg_foreign_server s
WHERE s.oid >= 16384
  AND NOT EXISTS (SELECT FROM pg_depend e WHERE e.classid = 'pg_foreign_server'::regclass
                  AND e.objid = s.oid AND e.deptype = 'e')
UNION ALL
SELECT 'user mapping', NULL, format('FOR %s SERVER %I', coalesce(quote_ident(m.usename), 'PUBLIC'), m.srvname)
FROM pg_user_mappings m
UNION ALL
SELECT 'foreign table', n.nspname, c.relname::text
FROM pg_class c JOIN mine n ON n.oid = c.relnamespace
WHERE c.relkind = 'f' AND c.oid >= 16384
  AND NOT EXISTS (SELECT FROM pg_depend e WHERE e.classid = 'pg_class'::regclass
                  AND e.objid = c.oid AND e.deptype = 'e')
UNION ALL
SELECT 'extended statistics', n.nspname, s.stxname::text
FROM pg_statistic_ext s JOIN mine n ON n.oid = s.stxnamespace
WHERE s.oid >= 16384
  AND NOT EXISTS (SELECT FROM pg_depend e WHERE e.classid = 'pg_statistic_ext'::regclass
                  AND e.objid = s.oid AND e.deptype = 'e')
UNION ALL
SELECT 'text search configuration', n.nspname, c.cfgname::text
FROM pg_ts_config c JOIN mine n ON n.oid = c.cfgnamespace
WHERE c.oid >= 16384
  AND NOT EXISTS (SELECT FROM pg_depend e WHERE e.classid = 'pg_ts_config'::regclass
                  AND e.objid = c.oid AND e.deptype = 'e')
UNION ALL
SELECT 'text search dictionary', n.nspname, d.dictname::text
FROM pg_ts_dict d JOIN mine n ON n.oid = d.dictnamespace
WHERE d.oid >= 16384
  AND NOT EXISTS (SELECT FROM pg_depend e WHERE e.classid = 'pg_ts_dict'::regclass
                  AND e.objid = d.oid AND e.deptype = 'e')
UNION ALL
SELECT 'text search parser', n.nspname, p.prsname::text
FROM pg_ts_parser p JOIN mine n ON n.oid = p.prsnamespace
WHERE p.oid >= 16384
  AND NOT EXISTS (SELECT FROM pg_depend e WHERE e.classid = 'pg_ts_parser'::regclass
                  AND e.objid = p.oid AND e.deptype = 'e')
UNION ALL
SELECT 'text search template', n.nspname, t.tmplname::text
FROM pg_ts_template t JOIN mine n ON n.oid = t.tmplnamespace
WHERE t.oid >= 16384
  AND NOT EXISTS (SELECT FROM pg_depend e WHERE e.classid = 'pg_ts_template'::regclass
                  AND e.objid = t.oid AND e.deptype = 'e')
UNION ALL
SELECT 'cast', NULL, format('(%s AS %s)', format_type(c.castsource, NULL), format_type(c.casttarget, NULL))
FROM pg_cast c
WHERE c.oid >= 16384
  AND NOT EXISTS (SELECT FROM pg_depend e WHERE e.classid = 'pg_cast'::regclass
                  AND e.objid = c.oid AND e.deptype = 'e')
UNION ALL
SELECT 'collation comment', n.nspname, c.collname::text
FROM pg_collation c JOIN mine n ON n.oid = c.collnamespace
WHERE c.oid >= 16384
  AND NOT EXISTS (SELECT FROM pg_depend e WHERE e.classid = 'pg_collation'::regclass
                  AND e.objid = c.oid AND e.deptype = 'e')
  AND EXISTS (SELECT FROM pg_description d WHERE d.classoid = 'pg_collation'::regclass AND d.objoid = c.oid)
UNION ALL
SELECT 'operator', n.nspname, format('%s(%s, %s)', o.oprname, format_type(o.oprleft, NULL), format_type(o.oprright, NULL))
FROM pg_operator o JOIN mine n ON n.oid = o.oprnamespace
WHERE o.oid >= 16384
  AND NOT EXISTS (SELECT FROM pg_depend e WHERE e.classid = 'pg_operator'::regclass
                  AND e.objid = o.oid AND e.deptype = 'e')
UNION ALL
SELECT 'operator class', n.nspname, format('%s USING %s', c.opcname, a.amname)
FROM pg_opclass c JOIN mine n ON n.oid = c.opcnamespace JOIN pg_am a ON a.oid = c.opcmethod
WHERE c.oid >= 16384
  AND NOT EXISTS (SELECT FROM pg_depend e WHERE e.classid = 'pg_opclass'::regclass
                  AND e.objid = c.oid AND e.deptype = 'e')
UNION ALL
SELECT 'operator family', n.nspname, format('%s USING %s', f.opfname, a.amname)
FROM pg_opfamily f JOIN mine n ON n.oid = f.opfnamespace JOIN pg_am a ON a.oid = f.opfmethod
WHERE f.oid >= 16384
  AND NOT EXISTS (SELECT FROM pg_depend e WHERE e.classid = 'pg_opfamily'::regclass
                  AND e.objid = f.oid AND e.deptype = 'e')
  -- CREATE OPERATOR CLASS makes a family of the same name: counted once, as the class
  AND NOT EXISTS (SELECT FROM pg_opclass c WHERE c.opcfamily = f.oid AND c.opcname = f.opfname
                  AND c.opcnamespace = f.opfnamespace)
UNION ALL
SELECT 'aggregate', n.nspname, format('%s(%s)', p.proname, pg_get_function_identity_arguments(p.oid))
FROM pg_proc p JOIN mine n ON n.oid = p.pronamespace
WHERE p.prokind = 'a' AND p.oid >= 16384
  AND NOT EXISTS (SELECT FROM pg_depend e WHERE e.classid = 'pg_proc'::regclass
                  AND e.objid = p.oid AND e.deptype = 'e')
UNION ALL
SELECT 'transform', NULL, format('FOR %s LANGUAGE %s', format_type(t.trftype, NULL), l.lanname)
FROM pg_transform t JOIN pg_language l ON l.oid = t.trflang
WHERE t.oid >= 16384
  AND NOT EXISTS (SELECT FROM pg_depend e WHERE e.classid = 'pg_transform'::regclass
                  AND e.objid = t.oid AND e.deptype = 'e')
UNION ALL
SELECT 'conversion', n.nspname, c.conname::text
FROM pg_conversion c JOIN mine n ON n.oid = c.connamespace
WHERE c.oid >= 16384
  AND NOT EXISTS (SELECT FROM pg_depend e WHERE e.classid = 'pg_conversion'::regclass
                  AND e.objid = c.oid AND e.deptype = 'e')
UNION ALL
SELECT 'access method', NULL, a.amname::text
FROM pg_am a
WHERE a.oid >= 16384
  AND NOT EXISTS (SELECT FROM pg_depend e WHERE e.classid = 'pg_am'::regclass
                  AND e.objid = a.oid AND e.deptype = 'e')
UNION ALL
SELECT 'language', NULL, l.lanname::text
FROM pg_language l
WHERE l.oid >= 16384
  AND NOT EXISTS (SELECT FROM pg_depend e WHERE e.classid = 'pg_language'::regclass
                  AND e.objid = l.oid AND e.deptype = 'e')
ORDER BY 1, 2, 3
