CREATE TABLE jobs (id int PRIMARY KEY, status text);
CREATE INDEX jobs_status_idx ON jobs (status);
