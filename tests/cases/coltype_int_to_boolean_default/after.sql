CREATE TABLE flags (id int PRIMARY KEY, on_off boolean DEFAULT false);
