CREATE TABLE sources (id int PRIMARY KEY, last_updated timestamptz);
