CREATE TABLE prices (id int PRIMARY KEY, cents integer DEFAULT (1 + 1));
