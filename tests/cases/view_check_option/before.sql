CREATE TABLE jobs (id int PRIMARY KEY, status text);
CREATE VIEW pending AS SELECT id, status FROM jobs WHERE status = 'pending';
