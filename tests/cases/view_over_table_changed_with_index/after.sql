-- A view over a table whose column type changes: the view is dropped and re-created
-- around the change, while the plan also builds an index CONCURRENTLY and adds a
-- CHECK and a FOREIGN KEY (NOT VALID, then VALIDATE): the view must never be missing
-- between two transactions.
CREATE TABLE public.authors (id bigint PRIMARY KEY, name text NOT NULL);
CREATE TABLE public.posts (
    id bigint PRIMARY KEY,
    author_id bigint REFERENCES public.authors (id),
    title text NOT NULL,
    score bigint NOT NULL DEFAULT 0,
    words integer NOT NULL DEFAULT 0,
    CONSTRAINT posts_title_length CHECK (length(title) < 500)
);
CREATE INDEX posts_author ON public.posts (author_id);
CREATE VIEW public.top_posts AS SELECT id, title, score, words FROM public.posts WHERE score > 10;
