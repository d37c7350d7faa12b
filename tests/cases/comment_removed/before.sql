CREATE TABLE sources (id int PRIMARY KEY, status text);
CREATE INDEX sources_status ON sources (status);
COMMENT ON INDEX sources_status IS 'for the queue';
