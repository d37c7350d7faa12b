CREATE TABLE items (id int PRIMARY KEY, qty integer DEFAULT 1);
