-- transaction 1 of 2 (statement 1, outside a transaction block): SHARE UPDATE EXCLUSIVE lock on public.segments_embedding_idx
-- statement 1 of 2 (migra, outside a transaction); hazards: INDEX_DROP
SET lock_timeout = '3000ms';
SET statement_timeout = '0ms';
DROP INDEX CONCURRENTLY IF EXISTS public.segments_embedding_idx;

-- transaction 2 of 2 (statement 2, outside a transaction block): SHARE UPDATE EXCLUSIVE lock on public.segments
-- statement 2 of 2 (migra, outside a transaction); hazards: none
SET lock_timeout = '3000ms';
SET statement_timeout = '0ms';
CREATE INDEX CONCURRENTLY IF NOT EXISTS segments_embedding_idx ON public.segments USING hnsw (embedding public.vector_l2_ops) WITH (m = '16', ef_construction = '64');
