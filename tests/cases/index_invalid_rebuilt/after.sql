CREATE EXTENSION IF NOT EXISTS vector;
CREATE TABLE segments (id int PRIMARY KEY, embedding vector(3));
CREATE INDEX segments_embedding_idx ON segments USING hnsw (embedding vector_cosine_ops);
