CREATE TABLE tags (id int PRIMARY KEY, owner int, name text);
CREATE UNIQUE INDEX tags_owner_name ON tags (owner, name) NULLS NOT DISTINCT;
