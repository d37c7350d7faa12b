CREATE TABLE prices (id int PRIMARY KEY, cents numeric DEFAULT 0.0);
INSERT INTO prices VALUES (1, 12.0);
