CREATE TABLE events (id int NOT NULL, at date NOT NULL, kind text) PARTITION BY RANGE (at);
CREATE TABLE events_2025 PARTITION OF events FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
CREATE TABLE events_2026 PARTITION OF events FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
ALTER TABLE events ADD PRIMARY KEY (id, at);
CREATE INDEX events_kind ON events (kind);
CREATE UNIQUE INDEX events_kind_at ON events (kind, at);
