CREATE TABLE sources (id int PRIMARY KEY);
CREATE TABLE old_jobs (id int PRIMARY KEY, source_id int REFERENCES sources (id));
COMMENT ON TABLE old_jobs IS 'gone soon';
