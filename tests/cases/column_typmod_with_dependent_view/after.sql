CREATE TABLE prices (id int PRIMARY KEY, amount numeric(10,2));
CREATE VIEW expensive AS SELECT id, amount FROM prices WHERE amount > 100;
COMMENT ON VIEW expensive IS 'prices over 100';
COMMENT ON COLUMN expensive.amount IS 'in euros';
