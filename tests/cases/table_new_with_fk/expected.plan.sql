-- transaction 1 of 3 (statements 1-7): ACCESS EXCLUSIVE lock on public.segments
BEGIN;
-- statement 1 of 10 (migra, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
create sequence "public"."segments_id_seq";
-- statement 2 of 10 (migra, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
create table "public"."segments" (
    "id" integer not null default nextval('public.segments_id_seq'::regclass),
    "video_id" text not null,
    "text" text not null
);
-- statement 3 of 10 (migra, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
alter sequence "public"."segments_id_seq" owned by "public"."segments"."id";
-- statement 4 of 10 (migra, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
CREATE INDEX idx_segments_video_id ON public.segments USING btree (video_id);
-- statement 5 of 10 (migra, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
CREATE UNIQUE INDEX segments_pkey ON public.segments USING btree (id);
-- statement 6 of 10 (migra, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
alter table "public"."segments" add constraint "segments_pkey" PRIMARY KEY using index "segments_pkey";
-- statement 7 of 10 (migra, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
alter table "public"."segments" add constraint "segments_video_id_fkey" FOREIGN KEY (video_id) REFERENCES public.sources(source_id) ON DELETE CASCADE not valid;
COMMIT;

-- transaction 2 of 3 (statement 8): SHARE UPDATE EXCLUSIVE lock on public.segments
BEGIN;
-- statement 8 of 10 (migra, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
alter table "public"."segments" validate constraint "segments_video_id_fkey";
COMMIT;

-- transaction 3 of 3 (statements 9-10): SHARE ROW EXCLUSIVE lock on public.segments_id_seq
BEGIN;
-- statement 9 of 10 (catalog, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
ALTER SEQUENCE public.segments_id_seq AS integer INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1 NO CYCLE RESTART;
-- statement 10 of 10 (comments, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
COMMENT ON TABLE public.segments IS 'transcript segments';
COMMIT;
