CREATE EXTENSION IF NOT EXISTS vector;
CREATE TABLE segments (id bigint PRIMARY KEY, text text NOT NULL, embedding vector(3));
CREATE INDEX segments_embedding_idx ON segments USING ivfflat (embedding vector_l2_ops) WITH (lists = 100);
