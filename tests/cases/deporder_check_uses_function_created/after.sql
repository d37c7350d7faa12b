CREATE FUNCTION z_positive(x int) RETURNS boolean LANGUAGE sql IMMUTABLE AS 'SELECT x > 0';
CREATE TABLE a_t (x int CHECK (z_positive(x)));
