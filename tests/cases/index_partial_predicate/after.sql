CREATE TABLE jobs (id int PRIMARY KEY, status text NOT NULL, done_at timestamptz);
CREATE INDEX jobs_pending ON jobs (id) WHERE status IN ('pending', 'retry');
