-- A view over a join, as a PostgreSQL 15 production holds it (15 qualifies every column).
CREATE TABLE sources (id int PRIMARY KEY, title text NOT NULL);
CREATE TABLE segments (id int PRIMARY KEY, source_id int NOT NULL REFERENCES sources (id), text text NOT NULL);
CREATE VIEW segment_titles AS SELECT s.id, s.text, src.title FROM segments s JOIN sources src ON src.id = s.source_id;
