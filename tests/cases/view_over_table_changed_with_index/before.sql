CREATE TABLE public.authors (id bigint PRIMARY KEY, name text NOT NULL);
CREATE TABLE public.posts (
    id bigint PRIMARY KEY,
    author_id bigint,
    title text NOT NULL,
    score integer NOT NULL DEFAULT 0
);
CREATE VIEW public.top_posts AS SELECT id, title, score FROM public.posts WHERE score > 10;
