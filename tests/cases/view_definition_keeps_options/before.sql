CREATE TABLE sources (id int PRIMARY KEY, title text, status text);
CREATE VIEW titles WITH (security_invoker = true) AS SELECT id, title FROM sources;
