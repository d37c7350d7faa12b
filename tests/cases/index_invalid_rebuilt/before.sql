CREATE EXTENSION IF NOT EXISTS vector;
CREATE TABLE segments (id int PRIMARY KEY, embedding vector(3));
CREATE INDEX segments_embedding_idx ON segments USING hnsw (embedding vector_cosine_ops);
-- what a failed CREATE INDEX CONCURRENTLY leaves behind
UPDATE pg_index SET indisvalid = false WHERE indexrelid = 'segments_embedding_idx'::regclass;
