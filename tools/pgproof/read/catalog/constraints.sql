-- Table constraints by definition. PostgreSQL 18's NOT NULL constraints (contype 'n') are
-- left out: nullability is compared on the column, and older servers have no such rows.
SELECT format('%I.%I.%I', n.nspname, c.relname, co.conname) AS key, n.nspname AS schema,
       co.conname AS name, format('%I.%I', n.nspname, c.relname) AS parent,
       jsonb_build_object(
         'type', co.contype::text,
         'definition', pg_get_constraintdef(co.oid, true),
         'deferrable', co.condeferrable,
         'deferred', co.condeferred,
         'validated', co.convalidated
       ) AS definition,
       -- a partition's copy of its parent's constraint, made by PostgreSQL itself
       jsonb_build_object('inherited', co.conparentid <> 0 OR NOT co.conislocal) AS info,
       (SELECT d.description FROM pg_description d WHERE d.objoid = co.oid
          AND d.classoid = 'pg_catalog.pg_constraint'::regclass AND d.objsubid = 0) AS comment,
       format('CONSTRAINT %I ON %I.%I', co.conname, n.nspname, c.relname) AS comment_target
FROM pg_constraint co
JOIN pg_class c ON c.oid = co.conrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE co.contype <> 'n' AND n.nspname <> 'information_schema' AND n.nspname NOT LIKE 'pg\_%'
  -- a foreign key referencing a partitioned table has one internal copy per partition
  -- referenced, on the same table; PostgreSQL makes, names and drops them with it
  AND NOT EXISTS (SELECT FROM pg_constraint parent WHERE parent.oid = co.conparentid
                  AND parent.conrelid = co.conrelid)
  AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.classid = 'pg_class'::regclass
                  AND d.objid = c.oid AND d.deptype = 'e')
