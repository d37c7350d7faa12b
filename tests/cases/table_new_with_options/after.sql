CREATE TABLE sources (id int PRIMARY KEY);
CREATE UNLOGGED TABLE api_cache (id int PRIMARY KEY, data jsonb) WITH (fillfactor = 80, autovacuum_enabled = false);
