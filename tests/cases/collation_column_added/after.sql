CREATE TABLE t (id int, title text COLLATE "C");
