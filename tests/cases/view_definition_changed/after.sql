CREATE TABLE sources (id int PRIMARY KEY, title text, status text);
CREATE VIEW titles AS SELECT id, title FROM sources WHERE status = 'completed';
