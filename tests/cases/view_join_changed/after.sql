CREATE TABLE sources (id int PRIMARY KEY, title text NOT NULL);
CREATE TABLE segments (id int PRIMARY KEY, source_id int NOT NULL REFERENCES sources (id), text text NOT NULL);
CREATE VIEW segment_titles AS SELECT s.id, s.text, src.title, length(s.text) AS chars
    FROM segments s JOIN sources src ON src.id = s.source_id WHERE s.text <> '';
