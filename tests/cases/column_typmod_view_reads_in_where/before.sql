CREATE TABLE prices (id int PRIMARY KEY, amount numeric);
CREATE VIEW expensive_ids WITH (security_barrier = true) AS SELECT id FROM prices WHERE amount > 100;
COMMENT ON VIEW expensive_ids IS 'ids of prices over 100';
CREATE MATERIALIZED VIEW expensive_counts AS SELECT count(*) AS n FROM expensive_ids;
CREATE UNIQUE INDEX expensive_counts_n ON expensive_counts (n);
COMMENT ON INDEX expensive_counts_n IS 'for REFRESH CONCURRENTLY';
