CREATE TABLE sources (id int PRIMARY KEY);
CREATE VIEW source_ids WITH (security_invoker = true, security_barrier = true) AS SELECT id FROM sources;
CREATE MATERIALIZED VIEW source_count WITH (fillfactor = 90) AS SELECT count(*) AS n FROM sources;
