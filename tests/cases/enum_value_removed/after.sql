CREATE TYPE status AS ENUM ('pending', 'completed');
CREATE TABLE sources (id int PRIMARY KEY, status status);
