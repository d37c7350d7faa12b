-- The desired schema of the transcript-search database: the one source of truth.
-- Edit this file, open a pull request, and review the plan pgproof posts for it.
-- It is what Alembic migrations 001 + 002 meant, in one place.

CREATE EXTENSION IF NOT EXISTS vector;

-- YouTube videos and other sources whose transcripts are searched.
CREATE TABLE sources (
    id             serial PRIMARY KEY,
    source_id      varchar(255) NOT NULL,
    source_type    varchar(50)  NOT NULL,
    title          text,
    url            text,
    channel_name   varchar(255),
    channel_url    text,
    published_at   timestamp,
    duration_s     integer,
    view_count     integer,
    like_count     integer,
    comment_count  integer,
    description    text,
    thumbnail_url  text,
    tags           jsonb,
    metadata       jsonb,
    status         varchar(50)  NOT NULL DEFAULT 'pending',
    error_message  text,
    created_at     timestamp    NOT NULL DEFAULT CURRENT_TIMESTAMP,
    last_updated   timestamp    NOT NULL DEFAULT CURRENT_TIMESTAMP,
    processed_at   timestamp,
    CONSTRAINT unique_source UNIQUE (source_type, source_id)
);

COMMENT ON COLUMN sources.source_id IS 'video_id or unique identifier';
COMMENT ON COLUMN sources.source_type IS 'youtube, zoom, local, etc.';
COMMENT ON COLUMN sources.duration_s IS 'Duration in seconds';
COMMENT ON COLUMN sources.metadata IS 'Processing metadata, model info, etc.';
COMMENT ON COLUMN sources.status IS 'pending, processing, completed, failed';

CREATE INDEX idx_sources_lookup ON sources (source_type, source_id);
CREATE INDEX idx_sources_status ON sources (status);
CREATE INDEX idx_sources_updated ON sources (last_updated);

-- Transcript segments with speaker labels and embeddings. One row per distinct text of
-- a video: uq_segments_video_text (data fix 0001 removes the duplicates it forbids).
CREATE TABLE segments (
    id                  serial PRIMARY KEY,
    video_id            varchar(255) NOT NULL,
    start_sec           double precision NOT NULL,
    end_sec             double precision NOT NULL,
    text                text NOT NULL,
    speaker_label       varchar(50),
    speaker_confidence  double precision,
    embedding           vector(1536),
    avg_logprob         double precision,
    compression_ratio   double precision,
    no_speech_prob      double precision,
    temperature_used    double precision,
    metadata            jsonb,
    created_at          timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT uq_segments_video_text UNIQUE (video_id, text)
);

COMMENT ON COLUMN segments.video_id IS 'References source_id in sources table';
COMMENT ON COLUMN segments.speaker_label IS 'Chaffee, GUEST, or NULL';
COMMENT ON COLUMN segments.speaker_confidence IS 'Voice verification confidence [0-1]';

CREATE INDEX idx_segments_video_id ON segments (video_id);
CREATE INDEX idx_segments_speaker ON segments (speaker_label);
CREATE INDEX idx_segments_time ON segments (video_id, start_sec);
CREATE INDEX segments_embedding_idx ON segments
    USING ivfflat (embedding vector_l2_ops) WITH (lists = 100);

-- YouTube Data API responses, cached by key with their ETag.
CREATE TABLE api_cache (
    id          serial PRIMARY KEY,
    cache_key   varchar(255) NOT NULL UNIQUE,
    etag        varchar(255),
    data        jsonb,
    expires_at  timestamp,
    created_at  timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP
);
