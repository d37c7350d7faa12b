-- Event triggers (database-wide, superuser objects, no schema): the event, the command
-- tags it is limited to, the function it runs, and whether it fires (as rules.sql).
-- `info.create` is the statement that makes one, for the diff.
SELECT quote_ident(e.evtname) AS key, '' AS schema, e.evtname AS name, NULL AS parent,
       jsonb_build_object(
         'event', e.evtevent,
         'tags', to_jsonb(e.evttags),
         'function', format('%I.%I()', pn.nspname, p.proname),
         'enabled', e.evtenabled::text
       ) AS definition,
       jsonb_build_object('create', format('CREATE EVENT TRIGGER %I ON %I%s EXECUTE FUNCTION %I.%I()',
         e.evtname, e.evtevent,
         CASE WHEN e.evttags IS NULL THEN ''
              ELSE format(' WHEN TAG IN (%s)', (SELECT string_agg(quote_literal(tag), ', ' ORDER BY ord)
                                                FROM unnest(e.evttags) WITH ORDINALITY t(tag, ord))) END,
         pn.nspname, p.proname)) AS info,
       (SELECT d.description FROM pg_description d WHERE d.objoid = e.oid
          AND d.classoid = 'pg_catalog.pg_event_trigger'::regclass AND d.objsubid = 0) AS comment,
       format('EVENT TRIGGER %I', e.evtname) AS comment_target
FROM pg_event_trigger e
JOIN pg_proc p ON p.oid = e.evtfoid
JOIN pg_namespace pn ON pn.oid = p.pronamespace
WHERE NOT EXISTS (SELECT FROM pg_depend d WHERE d.classid = 'pg_event_trigger'::regclass
                  AND d.objid = e.oid AND d.deptype = 'e')
