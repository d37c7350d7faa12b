-- transaction 1 of 4 (statements 1-8): ACCESS EXCLUSIVE lock on public.top_posts, public.posts
BEGIN;
-- statement 1 of 11 (migra, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
drop view if exists "public"."top_posts";
-- statement 2 of 11 (migra, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
alter table "public"."posts" add column "words" integer not null default 0;
-- statement 3 of 11 (catalog, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
ALTER TABLE public.posts ALTER COLUMN score DROP DEFAULT;
-- statement 4 of 11 (migra, in the transaction); hazards: ACCESS_EXCLUSIVE_LOCK, TABLE_REWRITE
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
alter table "public"."posts" alter column "score" set data type bigint using "score"::bigint;
-- statement 5 of 11 (catalog, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
ALTER TABLE public.posts ALTER COLUMN score SET DEFAULT 0;
-- statement 6 of 11 (migra, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
alter table "public"."posts" add constraint "posts_author_id_fkey" FOREIGN KEY (author_id) REFERENCES public.authors(id) not valid;
-- statement 7 of 11 (migra, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
alter table "public"."posts" add constraint "posts_title_length" CHECK ((length(title) < 500)) not valid;
-- statement 8 of 11 (migra, in the transaction); hazards: none
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
create or replace view "public"."top_posts" as  SELECT posts.id,
    posts.title,
    posts.score,
    posts.words
   FROM public.posts
  WHERE (posts.score > 10);
COMMIT;

-- transaction 2 of 4 (statement 9, outside a transaction block): SHARE UPDATE EXCLUSIVE lock on public.posts
-- statement 9 of 11 (migra, outside a transaction); hazards: none
SET lock_timeout = '3000ms';
SET statement_timeout = '0ms';
CREATE INDEX CONCURRENTLY IF NOT EXISTS posts_author ON public.posts (author_id);

-- transaction 3 of 4 (statement 10): SHARE UPDATE EXCLUSIVE lock on public.posts
BEGIN;
-- statement 10 of 11 (migra, in the transaction); hazards: CONSTRAINT_VALIDATION
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
alter table "public"."posts" validate constraint "posts_author_id_fkey";
COMMIT;

-- transaction 4 of 4 (statement 11): SHARE UPDATE EXCLUSIVE lock on public.posts
BEGIN;
-- statement 11 of 11 (migra, in the transaction); hazards: CONSTRAINT_VALIDATION
SET LOCAL lock_timeout = '3000ms';
SET LOCAL statement_timeout = '0ms';
alter table "public"."posts" validate constraint "posts_title_length";
COMMIT;
