-- Functions and procedures by their full definition (signature, return type, language,
-- volatility, body; BEGIN ATOMIC bodies too, which migra cannot see).
SELECT format('%I.%I(%s)', n.nspname, p.proname, pg_get_function_identity_arguments(p.oid)) AS key,
       n.nspname AS schema, p.proname AS name, NULL AS parent,
       jsonb_build_object(
         'kind', p.prokind::text,
         'definition', CASE WHEN p.prokind <> 'a' THEN pg_get_functiondef(p.oid) END,
         'result', pg_get_function_result(p.oid)
       ) AS definition,
       '{}'::jsonb AS info,
       (SELECT d.description FROM pg_description d WHERE d.objoid = p.oid
          AND d.classoid = 'pg_catalog.pg_proc'::regclass AND d.objsubid = 0) AS comment,
       format('%s %I.%I(%s)',
              CASE p.prokind WHEN 'p' THEN 'PROCEDURE' WHEN 'a' THEN 'AGGREGATE' ELSE 'FUNCTION' END,
              n.nspname, p.proname, pg_get_function_identity_arguments(p.oid)) AS comment_target
FROM pg_proc p
JOIN pg_namespace n ON n.oid = p.pronamespace
WHERE n.nspname <> 'information_schema' AND n.nspname NOT LIKE 'pg\_%'
  AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass
                  AND d.objid = p.oid AND d.deptype = 'e')
