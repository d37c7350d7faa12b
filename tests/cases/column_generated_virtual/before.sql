CREATE TABLE segments (id int PRIMARY KEY, start_sec float8, end_sec float8);
