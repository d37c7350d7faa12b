CREATE TABLE sources (id int PRIMARY KEY, view_count bigint);
CREATE VIEW popular AS SELECT id FROM sources WHERE view_count > 1000;
COMMENT ON VIEW popular IS 'sources with many views';
CREATE VIEW popular_ids AS SELECT id FROM popular;
