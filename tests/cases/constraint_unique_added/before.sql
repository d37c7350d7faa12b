CREATE TABLE segments (id int PRIMARY KEY, video_id text NOT NULL, text text NOT NULL);
