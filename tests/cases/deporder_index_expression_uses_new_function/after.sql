CREATE FUNCTION z_norm(x text) RETURNS text LANGUAGE sql IMMUTABLE RETURN lower(x);
CREATE TABLE t (x text);
CREATE INDEX t_norm ON t (z_norm(x));
