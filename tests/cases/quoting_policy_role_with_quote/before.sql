DO $do$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'o''brien') THEN CREATE ROLE "o'brien" NOLOGIN; END IF; END $do$;
CREATE TABLE t (x int);
