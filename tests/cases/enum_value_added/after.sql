CREATE TYPE status AS ENUM ('pending', 'processing', 'completed');
CREATE TABLE sources (id int PRIMARY KEY, status status NOT NULL DEFAULT 'pending');
