-- Row-level security policies.
SELECT format('%I.%I.%I', n.nspname, c.relname, p.polname) AS key, n.nspname AS schema,
       p.polname AS name, format('%I.%I', n.nspname, c.relname) AS parent,
       jsonb_build_object(
         'permissive', p.polpermissive,
         'command', p.polcmd::text,
         'roles', (SELECT jsonb_agg(role ORDER BY role)
                   FROM (SELECT CASE WHEN r = 0 THEN 'public' ELSE pg_get_userbyid(r)::text END AS role
                         FROM unnest(p.polroles) r) roles),
         'using', pg_get_expr(p.polqual, p.polrelid),
         'with_check', pg_get_expr(p.polwithcheck, p.polrelid)
       ) AS definition,
       '{}'::jsonb AS info,
       (SELECT d.description FROM pg_description d WHERE d.objoid = p.oid
          AND d.classoid = 'pg_catalog.pg_policy'::regclass AND d.objsubid = 0) AS comment,
       format('POLICY %I ON %I.%I', p.polname, n.nspname, c.relname) AS comment_target
FROM pg_policy p
JOIN pg_class c ON c.oid = p.polrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname <> 'information_schema' AND n.nspname NOT LIKE 'pg\_%'
