CREATE TABLE prices (id int PRIMARY KEY, amount numeric);
CREATE VIEW expensive AS SELECT id, amount FROM prices WHERE amount > 100;
