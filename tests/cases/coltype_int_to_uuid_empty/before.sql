CREATE TABLE items (id int PRIMARY KEY, ref int);
