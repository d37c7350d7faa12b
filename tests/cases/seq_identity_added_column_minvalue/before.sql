CREATE TABLE tickets (title text);
INSERT INTO tickets VALUES ('a'), ('b');
