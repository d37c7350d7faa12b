CREATE TABLE items (id int PRIMARY KEY, mood int DEFAULT 0);
INSERT INTO items VALUES (1, 0), (2, 1);
