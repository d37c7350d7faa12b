CREATE TABLE sources (id int PRIMARY KEY, title text);
CREATE VIEW titles WITH (security_invoker = true) AS SELECT id, title FROM sources;
