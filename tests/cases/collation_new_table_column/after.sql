CREATE TABLE t (title text COLLATE "C", body varchar(20) COLLATE "POSIX");
