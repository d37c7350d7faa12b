CREATE TABLE sources (id int PRIMARY KEY, title text);
CREATE VIEW titles AS SELECT id, title FROM sources;
