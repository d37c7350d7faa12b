CREATE TABLE items (id int PRIMARY KEY, qty varchar(10));
INSERT INTO items VALUES (1, '5');
