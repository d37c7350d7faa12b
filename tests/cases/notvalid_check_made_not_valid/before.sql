CREATE TABLE t (x int, CONSTRAINT t_x CHECK (x > 0));
