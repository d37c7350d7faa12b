-- Privileges of the managed roles (the roles parameter), one object per object and grantee: tables,
-- views, sequences, columns, functions, schemas and default privileges. A NULL ACL means
-- the built-in default, so both sides read acldefault() then. The owner's own privileges
-- come with ownership (see owners.sql) and are left out; default privileges have no owner
-- (NULL), so their grants to PUBLIC are kept.
WITH acls AS (
  SELECT CASE c.relkind WHEN 'S' THEN 'SEQUENCE' ELSE 'TABLE' END AS objtype,
         format('%%I.%%I', n.nspname, c.relname) AS target, n.nspname AS schema, c.relname AS name,
         format('%%I.%%I', n.nspname, c.relname) AS parent, NULL::text AS column_name, c.relowner AS owner,
         coalesce(c.relacl, acldefault((CASE c.relkind WHEN 'S' THEN 's' ELSE 'r' END)::"char", c.relowner)) AS acl
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S') AND n.nspname <> 'information_schema' AND n.nspname NOT LIKE 'pg\_%%'
    AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
  UNION ALL
  SELECT 'COLUMN', format('%%I.%%I.%%I', n.nspname, c.relname, a.attname), n.nspname, c.relname,
         format('%%I.%%I', n.nspname, c.relname), a.attname, c.relowner, a.attacl
  FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE a.attacl IS NOT NULL AND a.attnum > 0 AND NOT a.attisdropped
    AND n.nspname <> 'information_schema' AND n.nspname NOT LIKE 'pg\_%%'
  UNION ALL
  SELECT CASE p.prokind WHEN 'p' THEN 'PROCEDURE' ELSE 'FUNCTION' END,
         format('%%I.%%I(%%s)', n.nspname, p.proname, pg_get_function_identity_arguments(p.oid)),
         n.nspname, p.proname, NULL, NULL, p.proowner, coalesce(p.proacl, acldefault('f', p.proowner))
  FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
  WHERE n.nspname <> 'information_schema' AND n.nspname NOT LIKE 'pg\_%%'
    AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e')
  UNION ALL
  SELECT 'SCHEMA', quote_ident(n.nspname), n.nspname, n.nspname, NULL, NULL, n.nspowner,
         coalesce(n.nspacl, acldefault('n', n.nspowner))
  FROM pg_namespace n
  WHERE n.nspname <> 'information_schema' AND n.nspname NOT LIKE 'pg\_%%'
    AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.classid = 'pg_namespace'::regclass AND d.objid = n.oid AND d.deptype = 'e')
  UNION ALL
  SELECT 'DEFAULT',
         format('FOR ROLE %%I%%s', pg_get_userbyid(d.defaclrole),
                CASE WHEN d.defaclnamespace = 0 THEN '' ELSE format(' IN SCHEMA %%I', n.nspname) END)
           || ' ON ' || CASE d.defaclobjtype WHEN 'r' THEN 'TABLES' WHEN 'S' THEN 'SEQUENCES'
                        WHEN 'f' THEN 'FUNCTIONS' WHEN 'T' THEN 'TYPES' ELSE 'SCHEMAS' END,
         coalesce(n.nspname, 'public'), coalesce(n.nspname, ''), NULL, NULL, NULL::oid, d.defaclacl
  FROM pg_default_acl d LEFT JOIN pg_namespace n ON n.oid = d.defaclnamespace
)
SELECT format('%%s %%s TO %%s', a.objtype, a.target, g.role) AS key, a.schema, a.name, a.parent,
       jsonb_build_object('privileges', jsonb_agg(
         x.privilege_type || CASE WHEN x.is_grantable THEN ' WITH GRANT OPTION' ELSE '' END
         ORDER BY x.privilege_type)) AS definition,
       jsonb_build_object('objtype', a.objtype, 'target', a.target, 'grantee', g.role,
                          'column', a.column_name) AS info,
       NULL AS comment, NULL AS comment_target
FROM acls a
CROSS JOIN LATERAL aclexplode(a.acl) x
CROSS JOIN LATERAL (SELECT CASE WHEN x.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(pg_get_userbyid(x.grantee)) END AS role) g
WHERE x.grantee IS DISTINCT FROM a.owner  -- a default privilege has no owner: PUBLIC (0) is a grantee
  AND (CASE WHEN x.grantee = 0 THEN 'PUBLIC' ELSE pg_get_userbyid(x.grantee)::text END) = ANY (%(roles)s)
GROUP BY a.objtype, a.target, a.schema, a.name, a.parent, a.column_name, g.role
