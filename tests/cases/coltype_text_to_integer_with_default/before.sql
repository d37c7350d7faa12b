CREATE TABLE items (id int PRIMARY KEY, qty text DEFAULT '0');
INSERT INTO items VALUES (1, '5'), (2, DEFAULT);
