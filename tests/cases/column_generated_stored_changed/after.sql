CREATE TABLE segments (id int PRIMARY KEY, start_sec float8, end_sec float8, duration float8 GENERATED ALWAYS AS (round((end_sec - start_sec)::numeric, 2)::float8) STORED);
