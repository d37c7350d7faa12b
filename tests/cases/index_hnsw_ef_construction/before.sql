CREATE EXTENSION IF NOT EXISTS vector;
CREATE TABLE segments (id bigint PRIMARY KEY, text text NOT NULL, embedding vector(3));
CREATE INDEX segments_embedding_idx ON segments USING hnsw (embedding vector_ip_ops) WITH (m = 16, ef_construction = 64);
