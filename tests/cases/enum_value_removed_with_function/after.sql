CREATE TYPE status AS ENUM ('pending', 'completed');
CREATE TABLE sources (id int PRIMARY KEY, status status);
CREATE FUNCTION is_done(s status) RETURNS boolean LANGUAGE sql IMMUTABLE AS $$ SELECT s = 'completed' $$;
