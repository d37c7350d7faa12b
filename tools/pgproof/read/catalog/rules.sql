-- Rules of tables and views, except the _RETURN rule that makes a view: the server's own
-- CREATE RULE, and whether it fires (enabled: O origin, D disabled, R replica, A always).
SELECT format('%I.%I.%I', n.nspname, c.relname, r.rulename) AS key, n.nspname AS schema,
       r.rulename AS name, format('%I.%I', n.nspname, c.relname) AS parent,
       jsonb_build_object(
         'definition', pg_get_ruledef(r.oid),
         'enabled', r.ev_enabled::text
       ) AS definition,
       '{}'::jsonb AS info,
       (SELECT d.description FROM pg_description d WHERE d.objoid = r.oid
          AND d.classoid = 'pg_catalog.pg_rewrite'::regclass AND d.objsubid = 0) AS comment,
       format('RULE %I ON %I.%I', r.rulename, n.nspname, c.relname) AS comment_target
FROM pg_rewrite r
JOIN pg_class c ON c.oid = r.ev_class
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE r.rulename <> '_RETURN' AND n.nspname <> 'information_schema' AND n.nspname NOT LIKE 'pg\_%'
  AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.classid = 'pg_rewrite'::regclass
                  AND d.objid = r.oid AND d.deptype = 'e')
