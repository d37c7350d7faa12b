CREATE TABLE events (id int NOT NULL, at date NOT NULL, kind text);
