-- A SQL-standard function body (PostgreSQL 14+) over a view: both rendered by the server.
CREATE TABLE segments (id int PRIMARY KEY, source_id int NOT NULL, text text NOT NULL);
CREATE VIEW long_segments AS SELECT s.id, s.source_id FROM segments s WHERE length(s.text) > 100;
CREATE FUNCTION long_segment_count(wanted int) RETURNS bigint LANGUAGE sql STABLE
BEGIN ATOMIC
    SELECT count(*) FROM long_segments l WHERE l.source_id = wanted;
END;
