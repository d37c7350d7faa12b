CREATE TABLE sources (id int PRIMARY KEY, status text);
COMMENT ON COLUMN sources.status IS 'pending, processing, completed, failed';
