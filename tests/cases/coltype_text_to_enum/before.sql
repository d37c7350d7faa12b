CREATE TYPE mood AS ENUM ('sad', 'happy');
CREATE TABLE people (id int PRIMARY KEY, mood text DEFAULT 'sad');
INSERT INTO people VALUES (1, 'happy');
