CREATE TYPE status AS ENUM ('queued', 'pending', 'completed');
CREATE TABLE sources (id int PRIMARY KEY, status status NOT NULL DEFAULT 'queued');
