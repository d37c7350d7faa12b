-- A materialized view over a join and an aggregate, with an index: rendered by the server.
CREATE TABLE sources (id int PRIMARY KEY, title text NOT NULL);
CREATE TABLE segments (id int PRIMARY KEY, source_id int NOT NULL REFERENCES sources (id), text text NOT NULL);
CREATE MATERIALIZED VIEW source_counts AS
    SELECT src.id, src.title, count(s.id) AS segments
    FROM sources src LEFT JOIN segments s ON s.source_id = src.id GROUP BY src.id, src.title;
CREATE UNIQUE INDEX source_counts_id ON source_counts (id);
