CREATE TABLE segments (id int PRIMARY KEY, source_id int NOT NULL, text text NOT NULL);
CREATE VIEW long_segments AS SELECT s.id, s.source_id FROM segments s WHERE length(s.text) > 100;
