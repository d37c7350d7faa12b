-- Sequences with their options (migra compares only name and owner); the owning column,
-- for serial and identity columns, is the parent, so excluding a table excludes its sequences.
SELECT format('%I.%I', n.nspname, c.relname) AS key, n.nspname AS schema, c.relname AS name,
       owner.table_key AS parent,
       jsonb_build_object(
         'type', format_type(s.seqtypid, NULL),
         'start', s.seqstart, 'increment', s.seqincrement,
         'min', s.seqmin, 'max', s.seqmax, 'cache', s.seqcache, 'cycle', s.seqcycle,
         'owned_by', owner.column_key
       ) AS definition,
       '{}'::jsonb AS info,
       (SELECT d.description FROM pg_description d WHERE d.objoid = c.oid
          AND d.classoid = 'pg_catalog.pg_class'::regclass AND d.objsubid = 0) AS comment,
       format('SEQUENCE %I.%I', n.nspname, c.relname) AS comment_target
FROM pg_sequence s
JOIN pg_class c ON c.oid = s.seqrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN LATERAL (
  SELECT format('%I.%I', tn.nspname, t.relname) AS table_key,
         format('%I.%I.%I', tn.nspname, t.relname, a.attname) AS column_key
  FROM pg_depend d
  JOIN pg_class t ON t.oid = d.refobjid
  JOIN pg_namespace tn ON tn.oid = t.relnamespace
  JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
  WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid
    AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i')
  LIMIT 1
) owner ON true
WHERE n.nspname <> 'information_schema' AND n.nspname NOT LIKE 'pg\_%'
  AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.classid = 'pg_class'::regclass
                  AND d.objid = c.oid AND d.deptype = 'e')
