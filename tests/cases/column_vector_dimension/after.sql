CREATE EXTENSION IF NOT EXISTS vector;
CREATE TABLE segments (id bigint PRIMARY KEY, text text NOT NULL, embedding vector(4));
CREATE INDEX segments_embedding_idx ON segments USING hnsw (embedding vector_l2_ops);
