CREATE TABLE sources (id serial PRIMARY KEY, source_id text NOT NULL UNIQUE);
CREATE TABLE segments (id serial PRIMARY KEY, video_id text NOT NULL REFERENCES sources (source_id) ON DELETE CASCADE, text text NOT NULL);
COMMENT ON TABLE segments IS 'transcript segments';
CREATE INDEX idx_segments_video_id ON segments (video_id);
