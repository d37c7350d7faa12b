CREATE TABLE foo (id int PRIMARY KEY);
CREATE TABLE t (x int);
COMMENT ON TABLE t IS 'x''); DROP TABLE foo; --';
COMMENT ON COLUMN t.x IS 'x''); DROP TABLE foo; --';
