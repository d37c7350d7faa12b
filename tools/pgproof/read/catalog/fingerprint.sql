-- The catalog fingerprint (read/fingerprint.py): one row per object of the schemas
-- pgproof compares, (kind, schema, name, table or NULL, md5 of its OID-free text). It
-- covers everything the catalog check and migra's inspection read, and more where in
-- doubt: a difference found here only costs the full comparison. Owners count only when
-- %(owners)s, privileges only those granted to the roles of %(roles)s (as the comparison).
-- Objects of extensions are left out (their extension and its version count).
WITH mine AS (
  SELECT n.oid, n.nspname, n.nspowner, n.nspacl FROM pg_namespace n
  WHERE n.nspname <> 'information_schema' AND n.nspname NOT LIKE 'pg\_%%'
    AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.classid = 'pg_namespace'::regclass
                    AND d.objid = n.oid AND d.deptype = 'e')
), rels AS (
  SELECT c.*, n.nspname FROM pg_class c JOIN mine n ON n.oid = c.relnamespace
  WHERE c.relkind IN ('r', 'p', 'f', 'v', 'm', 'S', 'c')
    AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.classid = 'pg_class'::regclass
                    AND d.objid = c.oid AND d.deptype = 'e')
)
SELECT 'schema' AS kind, n.nspname AS schema, n.nspname AS name, NULL AS tbl,
       md5(jsonb_build_array(
         {owner:n.nspowner}, {acl:n.nspacl:n.nspowner:n}, {comment:n.oid:pg_namespace:0}
       )::text) AS digest
FROM mine n
UNION ALL
SELECT 'relation', c.nspname, c.relname, NULL, md5(jsonb_build_array(
         c.relkind, c.relpersistence, c.reloptions, am.amname,
         (SELECT spcname FROM pg_tablespace s WHERE s.oid = c.reltablespace),
         c.relreplident, c.relrowsecurity, c.relforcerowsecurity, c.relispartition,
         CASE WHEN c.relkind = 'p' THEN pg_get_partkeydef(c.oid) END,
         CASE WHEN c.relispartition THEN pg_get_expr(c.relpartbound, c.oid) END,
         (SELECT jsonb_agg(i.inhparent::regclass::text ORDER BY i.inhseqno) FROM pg_inherits i
          WHERE i.inhrelid = c.oid),
         CASE WHEN c.reloftype <> 0 THEN c.reloftype::regtype::text END,
         CASE WHEN c.relkind IN ('v', 'm') THEN pg_get_viewdef(c.oid, true) END,
         CASE WHEN c.relkind = 'm' THEN c.relispopulated END,
         (SELECT jsonb_build_array(fs.srvname, ft.ftoptions) FROM pg_foreign_table ft
          JOIN pg_foreign_server fs ON fs.oid = ft.ftserver WHERE ft.ftrelid = c.oid),
         (SELECT jsonb_build_array(format_type(s.seqtypid, NULL), s.seqstart, s.seqincrement, s.seqmin,
                                   s.seqmax, s.seqcache, s.seqcycle)
          FROM pg_sequence s WHERE s.seqrelid = c.oid),
         (SELECT jsonb_agg(jsonb_build_array(d.refobjid::regclass::text, a.attname, d.deptype::text)
                           ORDER BY d.refobjid::regclass::text, a.attname)
          FROM pg_depend d JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
          WHERE c.relkind = 'S' AND d.classid = 'pg_class'::regclass AND d.objid = c.oid
            AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i')),
         {owner:c.relowner},
         {acl:c.relacl:c.relowner:CASE c.relkind WHEN 'S' THEN 's' ELSE 'r' END},
         {comment:c.oid:pg_class:0}
       )::text)
FROM rels c LEFT JOIN pg_am am ON am.oid = c.relam
WHERE c.relkind <> 'c'
UNION ALL
SELECT 'column', c.nspname, a.attname, c.relname, md5(jsonb_build_array(
         c.relkind, row_number() OVER (PARTITION BY a.attrelid ORDER BY a.attnum),
         format_type(a.atttypid, a.atttypmod), a.attnotnull,
         pg_get_expr(ad.adbin, ad.adrelid), a.attidentity, a.attgenerated,
         (SELECT format('%%I.%%I', cn.nspname, co.collname) FROM pg_collation co
          JOIN pg_namespace cn ON cn.oid = co.collnamespace WHERE co.oid = a.attcollation),
         a.attstorage, a.attcompression, a.attstattarget::text,
         -- options (n_distinct, ...), without those a server's own hooks set per database (pg_attver=)
         (SELECT jsonb_agg(o ORDER BY o) FROM unnest(a.attoptions) o WHERE o NOT LIKE 'pg\_%%'),
         a.attfdwoptions,
         a.attislocal, a.attinhcount,
         {acl:a.attacl:c.relowner:NULL},
         {comment:c.oid:pg_class:a.attnum}
       )::text)
FROM pg_attribute a JOIN rels c ON c.oid = a.attrelid
LEFT JOIN pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
WHERE a.attnum > 0 AND NOT a.attisdropped AND c.relkind <> 'S'
UNION ALL
SELECT 'constraint', n.nspname, co.conname, coalesce(c.relname, t.typname), md5(jsonb_build_array(
         co.contype, pg_get_constraintdef(co.oid), co.condeferrable, co.condeferred, co.convalidated,
         co.conislocal, co.coninhcount, co.connoinherit, t.typname IS NOT NULL,
         {comment:co.oid:pg_constraint:0}
       )::text)
FROM pg_constraint co JOIN mine n ON n.oid = co.connamespace
LEFT JOIN rels c ON c.oid = co.conrelid
LEFT JOIN pg_type t ON t.oid = co.contypid
WHERE (co.conrelid <> 0 AND c.oid IS NOT NULL) OR (co.contypid <> 0 AND t.oid IS NOT NULL)
UNION ALL
SELECT 'index', c.nspname, ic.relname, c.relname, md5(jsonb_build_array(
         pg_get_indexdef(i.indexrelid), i.indisvalid, i.indisclustered, i.indisreplident,
         i.indisunique, i.indimmediate, ic.reloptions,
         (SELECT spcname FROM pg_tablespace s WHERE s.oid = ic.reltablespace),
         (SELECT inh.inhparent::regclass::text FROM pg_inherits inh WHERE inh.inhrelid = i.indexrelid),
         {comment:ic.oid:pg_class:0}
       )::text)
FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid JOIN rels c ON c.oid = i.indrelid
UNION ALL
SELECT 'function', n.nspname, p.proname, NULL, md5(jsonb_build_array(
         pg_get_function_identity_arguments(p.oid), p.prokind, pg_get_functiondef(p.oid),
         {owner:p.proowner}, {acl:p.proacl:p.proowner:f}, {comment:p.oid:pg_proc:0}
       )::text)
FROM pg_proc p JOIN mine n ON n.oid = p.pronamespace
WHERE p.prokind <> 'a'
  AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass
                  AND d.objid = p.oid AND d.deptype = 'e')
UNION ALL
SELECT 'trigger', c.nspname, tg.tgname, c.relname, md5(jsonb_build_array(
         pg_get_triggerdef(tg.oid), tg.tgenabled, {comment:tg.oid:pg_trigger:0}
       )::text)
FROM pg_trigger tg JOIN rels c ON c.oid = tg.tgrelid
WHERE NOT tg.tgisinternal
UNION ALL
SELECT 'type', n.nspname, t.typname, NULL, md5(jsonb_build_array(
         t.typtype,
         (SELECT jsonb_agg(e.enumlabel ORDER BY e.enumsortorder) FROM pg_enum e WHERE e.enumtypid = t.oid),
         CASE WHEN t.typtype = 'd' THEN format_type(t.typbasetype, t.typtypmod) END,
         t.typnotnull, t.typdefault,
         (SELECT format('%%I.%%I', cn.nspname, co.collname) FROM pg_collation co
          JOIN pg_namespace cn ON cn.oid = co.collnamespace WHERE co.oid = t.typcollation),
         (SELECT jsonb_build_array(format_type(r.rngsubtype, NULL), r.rngcollation::regcollation::text,
                                   (SELECT oc.opcname FROM pg_opclass oc WHERE oc.oid = r.rngsubopc), r.rngcanonical::text, r.rngsubdiff::text)
          FROM pg_range r WHERE r.rngtypid = t.oid),
         CASE WHEN t.typtype = 'b' THEN jsonb_build_array(t.typinput::text, t.typoutput::text,
              t.typreceive::text, t.typsend::text, t.typlen, t.typbyval, t.typalign, t.typstorage,
              t.typcategory) END,
         {owner:t.typowner}, {acl:t.typacl:t.typowner:T}, {comment:t.oid:pg_type:0}
       )::text)
FROM pg_type t JOIN mine n ON n.oid = t.typnamespace
WHERE (t.typtype IN ('e', 'd', 'r')
       OR (t.typtype = 'c' AND (SELECT c.relkind FROM pg_class c WHERE c.oid = t.typrelid) = 'c')
       OR (t.typtype = 'b' AND NOT (t.typelem <> 0 AND t.typlen = -1)))
  AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.classid = 'pg_type'::regclass
                  AND d.objid = t.oid AND d.deptype = 'e')
UNION ALL
SELECT 'extension', n.nspname, e.extname, NULL, md5(jsonb_build_array(
         e.extversion, e.extrelocatable, {comment:e.oid:pg_extension:0}
       )::text)
FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
UNION ALL
SELECT 'event trigger', '', e.evtname, NULL, md5(jsonb_build_array(
         e.evtevent, e.evttags, e.evtfoid::regproc::text, e.evtenabled,
         {owner:e.evtowner}, {comment:e.oid:pg_event_trigger:0}
       )::text)
FROM pg_event_trigger e
WHERE NOT EXISTS (SELECT FROM pg_depend d WHERE d.classid = 'pg_event_trigger'::regclass
                  AND d.objid = e.oid AND d.deptype = 'e')
UNION ALL
SELECT 'policy', c.nspname, p.polname, c.relname, md5(jsonb_build_array(
         p.polcmd, p.polpermissive,
         (SELECT jsonb_agg(role ORDER BY role)
          FROM (SELECT CASE WHEN r = 0 THEN 'public' ELSE pg_get_userbyid(r)::text END AS role
                FROM unnest(p.polroles) r) roles),
         pg_get_expr(p.polqual, p.polrelid), pg_get_expr(p.polwithcheck, p.polrelid),
         {comment:p.oid:pg_policy:0}
       )::text)
FROM pg_policy p JOIN rels c ON c.oid = p.polrelid
UNION ALL
SELECT 'rule', c.nspname, r.rulename, c.relname, md5(jsonb_build_array(
         pg_get_ruledef(r.oid), r.ev_enabled, {comment:r.oid:pg_rewrite:0}
       )::text)
FROM pg_rewrite r JOIN rels c ON c.oid = r.ev_class
WHERE r.rulename <> '_RETURN'
UNION ALL
SELECT 'collation', n.nspname, co.collname, NULL, md5(jsonb_build_array(
         to_jsonb(co) - 'oid' - 'collnamespace' - 'collowner' - 'collversion',
         {owner:co.collowner}, {comment:co.oid:pg_collation:0}
       )::text)
FROM pg_collation co JOIN mine n ON n.oid = co.collnamespace
WHERE NOT EXISTS (SELECT FROM pg_depend d WHERE d.classid = 'pg_collation'::regclass
                  AND d.objid = co.oid AND d.deptype = 'e')
UNION ALL
SELECT 'default privileges', coalesce(n.nspname, ''), d.defaclobjtype::text, pg_get_userbyid(d.defaclrole),
       md5(jsonb_build_array({acl:d.defaclacl:NULL:NULL})::text)
FROM pg_default_acl d LEFT JOIN pg_namespace n ON n.oid = d.defaclnamespace
