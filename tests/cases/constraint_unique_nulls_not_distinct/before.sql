CREATE TABLE tags (id int PRIMARY KEY, owner int, name text, CONSTRAINT tags_owner_name UNIQUE (owner, name));
