-- transaction 1 of 3 (statement 1, outside a transaction block): SHARE UPDATE EXCLUSIVE lock on public.words
-- statement 1 of 3 (catalog, outside a transaction); hazards: none
SET lock_timeout = '3000ms';
SET statement_timeout = '0ms';
CREATE INDEX CONCURRENTLY IF NOT EXISTS pgproof_new_words_word ON public.words (word COLLATE "C");

-- transaction 2 of 3 (statement 2, outside a transaction block): SHARE UPDATE EXCLUSIVE lock on public.words_word
-- statement 2 of 3 (catalog, outside a transaction); hazards: INDEX_DROP
SET lock_timeout = '3000ms';
SET statement_timeout = '0ms';
DROP INDEX CONCURRENTLY IF EXISTS public.words_word;

-- transaction 3 of 3 (statement 3): SHARE UPDATE EXCLUSIVE lock on public.pgproof_new_words_word
BEGIN;
-- statement 3 of 3 (catalog, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
ALTER INDEX public.pgproof_new_words_word RENAME TO words_word;
COMMIT;
