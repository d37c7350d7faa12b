CREATE TYPE span AS (start_sec numeric, end_sec float8);
CREATE TABLE segments (id int PRIMARY KEY, span span);
