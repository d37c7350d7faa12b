-- transaction 1 of 2 (statement 1, outside a transaction block): SHARE UPDATE EXCLUSIVE lock on public.segments
-- statement 1 of 2 (migra, outside a transaction); hazards: none
SET lock_timeout = '3000ms';
SET statement_timeout = '0ms';
CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS uq_segments_video_text ON public.segments (video_id, text);

-- transaction 2 of 2 (statement 2): ACCESS EXCLUSIVE lock on public.segments
BEGIN;
-- statement 2 of 2 (migra, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
alter table "public"."segments" add constraint "uq_segments_video_text" UNIQUE using index "uq_segments_video_text";
COMMIT;
