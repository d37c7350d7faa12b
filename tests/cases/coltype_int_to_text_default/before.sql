CREATE TABLE items (id int PRIMARY KEY, code int DEFAULT 7);
INSERT INTO items VALUES (1, 3);
