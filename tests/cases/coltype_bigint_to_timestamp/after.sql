CREATE TABLE events (id int PRIMARY KEY, happened timestamp);
