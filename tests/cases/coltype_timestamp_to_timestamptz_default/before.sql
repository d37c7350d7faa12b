CREATE TABLE events (id int PRIMARY KEY, at timestamp DEFAULT now());
