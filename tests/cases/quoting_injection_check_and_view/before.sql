CREATE TABLE foo (id int PRIMARY KEY);
CREATE TABLE t (x text);
