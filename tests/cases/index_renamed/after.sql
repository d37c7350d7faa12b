CREATE TABLE jobs (id int PRIMARY KEY, status text);
CREATE INDEX idx_jobs_status ON jobs (status);
