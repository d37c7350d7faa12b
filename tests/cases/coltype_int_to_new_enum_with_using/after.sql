CREATE TYPE mood AS ENUM ('calm', 'busy');
-- pgproof: convert column items.mood using (ARRAY['calm', 'busy'])[mood + 1]::mood
CREATE TABLE items (id int PRIMARY KEY, mood mood DEFAULT 'calm');
