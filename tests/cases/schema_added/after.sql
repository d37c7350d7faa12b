CREATE TABLE sources (id int PRIMARY KEY);
CREATE SCHEMA archive;
COMMENT ON SCHEMA archive IS 'rows removed by data fixes';
CREATE TABLE archive.segments (id int PRIMARY KEY, removed_at timestamptz NOT NULL DEFAULT now());
