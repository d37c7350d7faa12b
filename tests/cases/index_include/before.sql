CREATE TABLE jobs (id int PRIMARY KEY, status text, note text);
CREATE INDEX jobs_status ON jobs (status);
