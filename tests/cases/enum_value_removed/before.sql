CREATE TYPE status AS ENUM ('pending', 'legacy', 'completed');
CREATE TABLE sources (id int PRIMARY KEY, status status);
