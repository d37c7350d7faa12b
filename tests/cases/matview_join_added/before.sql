CREATE TABLE sources (id int PRIMARY KEY, title text NOT NULL);
CREATE TABLE segments (id int PRIMARY KEY, source_id int NOT NULL REFERENCES sources (id), text text NOT NULL);
