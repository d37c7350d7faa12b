CREATE TABLE prices (id int PRIMARY KEY, amount numeric);
CREATE MATERIALIZED VIEW totals AS SELECT id, amount FROM prices;
CREATE UNIQUE INDEX totals_id ON totals (id);
