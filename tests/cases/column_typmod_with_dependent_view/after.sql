CREATE TABLE prices (id int PRIMARY KEY, amount numeric(10,2));
CREATE VIEW expensive AS SELECT id, amount FROM prices WHERE amount > 100;
