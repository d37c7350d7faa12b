-- Indexes, by their full definition: method, operator classes, WITH options (lists, m,
-- ef_construction), predicate, expressions. migra compares none of the last four.
-- `info.constraint` names the primary key, unique or exclusion constraint that owns it;
-- `info.partition_of` the index of the partitioned table that this partition's index is
-- attached to.
SELECT format('%I.%I', n.nspname, ic.relname) AS key, n.nspname AS schema, ic.relname AS name,
       format('%I.%I', tn.nspname, c.relname) AS parent,
       jsonb_build_object(
         'definition', pg_get_indexdef(i.indexrelid),
         'valid', i.indisvalid
       ) AS definition,
       jsonb_build_object('constraint', (
         SELECT format('%I.%I.%I', tn.nspname, c.relname, co.conname) FROM pg_constraint co
         WHERE co.conrelid = i.indrelid AND co.conindid = i.indexrelid AND co.contype IN ('p', 'u', 'x')
       ), 'partition_of', (
         SELECT format('%I.%I', pn.nspname, pc.relname) FROM pg_inherits inh
         JOIN pg_class pc ON pc.oid = inh.inhparent JOIN pg_namespace pn ON pn.oid = pc.relnamespace
         WHERE inh.inhrelid = i.indexrelid
       )) AS info,
       (SELECT d.description FROM pg_description d WHERE d.objoid = ic.oid
          AND d.classoid = 'pg_catalog.pg_class'::regclass AND d.objsubid = 0) AS comment,
       format('INDEX %I.%I', n.nspname, ic.relname) AS comment_target
FROM pg_index i
JOIN pg_class ic ON ic.oid = i.indexrelid
JOIN pg_namespace n ON n.oid = ic.relnamespace
JOIN pg_class c ON c.oid = i.indrelid
JOIN pg_namespace tn ON tn.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p', 'm') AND tn.nspname <> 'information_schema' AND tn.nspname NOT LIKE 'pg\_%'
  AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.classid = 'pg_class'::regclass
                  AND d.objid = c.oid AND d.deptype = 'e')
