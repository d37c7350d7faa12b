CREATE TABLE sources (id int PRIMARY KEY, status text NOT NULL DEFAULT 'queued');
