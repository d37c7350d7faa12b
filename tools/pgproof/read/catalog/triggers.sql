-- User triggers (not the internal ones behind foreign keys, nor clones on partitions).
SELECT format('%I.%I.%I', n.nspname, c.relname, t.tgname) AS key, n.nspname AS schema,
       t.tgname AS name, format('%I.%I', n.nspname, c.relname) AS parent,
       jsonb_build_object(
         'definition', pg_get_triggerdef(t.oid, true),
         'enabled', t.tgenabled::text
       ) AS definition,
       '{}'::jsonb AS info,
       (SELECT d.description FROM pg_description d WHERE d.objoid = t.oid
          AND d.classoid = 'pg_catalog.pg_trigger'::regclass AND d.objsubid = 0) AS comment,
       format('TRIGGER %I ON %I.%I', t.tgname, n.nspname, c.relname) AS comment_target
FROM pg_trigger t
JOIN pg_class c ON c.oid = t.tgrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE NOT t.tgisinternal AND t.tgparentid = 0 AND n.nspname <> 'information_schema' AND n.nspname NOT LIKE 'pg\_%'
