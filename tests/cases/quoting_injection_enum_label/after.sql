CREATE TABLE foo (id int PRIMARY KEY);
CREATE TYPE answer AS ENUM ('x''); DROP TABLE foo; --');
