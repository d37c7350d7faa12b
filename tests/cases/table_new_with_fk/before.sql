CREATE TABLE sources (id serial PRIMARY KEY, source_id text NOT NULL UNIQUE);
