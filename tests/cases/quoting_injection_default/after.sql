CREATE TABLE foo (id int PRIMARY KEY);
CREATE TABLE t (x int, y text DEFAULT 'x''); DROP TABLE foo; --');
