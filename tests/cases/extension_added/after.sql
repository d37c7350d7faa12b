CREATE EXTENSION IF NOT EXISTS vector;
CREATE TABLE sources (id int PRIMARY KEY);
CREATE TABLE segments (id int PRIMARY KEY, embedding vector(3));
