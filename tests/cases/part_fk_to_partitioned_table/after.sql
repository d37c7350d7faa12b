CREATE TABLE events (id int NOT NULL, at date NOT NULL, kind text) PARTITION BY RANGE (at);
CREATE TABLE events_2025 PARTITION OF events FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
CREATE TABLE events_2026 PARTITION OF events FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
ALTER TABLE events ADD PRIMARY KEY (id, at);
CREATE TABLE notes (id int, event_id int, event_at date, CONSTRAINT notes_event FOREIGN KEY (event_id, event_at) REFERENCES events (id, at));
