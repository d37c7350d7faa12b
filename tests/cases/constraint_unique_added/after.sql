CREATE TABLE segments (id int PRIMARY KEY, video_id text NOT NULL, text text NOT NULL, CONSTRAINT uq_segments_video_text UNIQUE (video_id, text));
