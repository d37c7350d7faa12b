CREATE TABLE events (id int NOT NULL, at date NOT NULL, kind text);
CREATE VIEW recent AS SELECT id, kind FROM events;
