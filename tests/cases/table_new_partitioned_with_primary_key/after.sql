CREATE TABLE sources (id int PRIMARY KEY);
CREATE TABLE events (id int, at date NOT NULL, kind text, PRIMARY KEY (id, at)) PARTITION BY RANGE (at);
CREATE TABLE events_2025 PARTITION OF events FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
CREATE INDEX events_kind ON events (kind);
