CREATE TABLE sources (id int PRIMARY KEY, status text);
COMMENT ON TABLE sources IS 'videos';
