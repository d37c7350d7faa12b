CREATE TABLE sources (id int PRIMARY KEY);
CREATE TABLE segments (id int PRIMARY KEY, source_id int CONSTRAINT segments_source_fk REFERENCES sources (id) ON DELETE CASCADE);
