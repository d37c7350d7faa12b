CREATE TABLE sources (id int PRIMARY KEY, view_count bigint, title text);
CREATE VIEW counted AS SELECT id, title FROM sources WHERE view_count > 10;
CREATE VIEW counted_titles AS SELECT title FROM counted;
COMMENT ON VIEW counted_titles IS 'titles of counted sources';
