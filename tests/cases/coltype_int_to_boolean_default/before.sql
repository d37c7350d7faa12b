CREATE TABLE flags (id int PRIMARY KEY, on_off int DEFAULT 0);
INSERT INTO flags VALUES (1, 1), (2, 0);
