CREATE TABLE foo (id int PRIMARY KEY);
DO $do$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'x''); DROP TABLE foo; --') THEN CREATE ROLE "x'); DROP TABLE foo; --" NOLOGIN; END IF; END $do$;
CREATE TABLE t (x int);
