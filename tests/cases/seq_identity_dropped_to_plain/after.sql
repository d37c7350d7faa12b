CREATE TABLE tickets (id int PRIMARY KEY);
