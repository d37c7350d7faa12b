-- min_major: 18 (virtual generated columns)
CREATE TABLE sources (id int PRIMARY KEY);
CREATE TABLE segments (id int PRIMARY KEY, start_sec float8 NOT NULL, end_sec float8 NOT NULL, duration float8 GENERATED ALWAYS AS (end_sec - start_sec) VIRTUAL);
