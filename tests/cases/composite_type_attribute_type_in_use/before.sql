CREATE TYPE span AS (start_sec float8, end_sec float8);
CREATE TABLE segments (id int PRIMARY KEY, span span);
