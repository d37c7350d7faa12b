-- min_major: 18 (virtual generated columns)
CREATE TABLE segments (id int PRIMARY KEY, start_sec float8, end_sec float8, duration float8 GENERATED ALWAYS AS (end_sec - start_sec) VIRTUAL);
