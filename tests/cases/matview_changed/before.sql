CREATE TABLE sources (id int PRIMARY KEY, status text);
CREATE MATERIALIZED VIEW status_counts AS SELECT status, count(*) AS n FROM sources GROUP BY status;
CREATE UNIQUE INDEX status_counts_status ON status_counts (status);
