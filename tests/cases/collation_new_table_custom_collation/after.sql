CREATE COLLATION names_c (provider = libc, locale = 'C');
CREATE TABLE people (name text COLLATE names_c, nick text COLLATE "C");
CREATE INDEX people_name ON people (name);
