CREATE TABLE sources (id int PRIMARY KEY);
