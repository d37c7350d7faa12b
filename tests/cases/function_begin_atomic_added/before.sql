CREATE TABLE segments (id int PRIMARY KEY, text text);
