CREATE TYPE mood AS ENUM ('calm', 'busy');
CREATE TABLE items (id int PRIMARY KEY, mood mood);
