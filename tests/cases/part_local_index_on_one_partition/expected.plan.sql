-- transaction 1 of 1 (statement 1, outside a transaction block): SHARE UPDATE EXCLUSIVE lock on public.events_2025
-- statement 1 of 1 (migra, outside a transaction); hazards: none
SET lock_timeout = '3000ms';
SET statement_timeout = '0ms';
CREATE INDEX CONCURRENTLY IF NOT EXISTS events_2025_kind ON public.events_2025 (kind);
