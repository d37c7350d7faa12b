CREATE TABLE foo (id int PRIMARY KEY);
CREATE TABLE t (x text CONSTRAINT t_x CHECK (x <> 'x''); DROP TABLE foo; --'));
CREATE VIEW v AS SELECT x, 'x''); DROP TABLE foo; --'::text AS y FROM t;
