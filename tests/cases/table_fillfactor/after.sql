CREATE TABLE api_cache (id int PRIMARY KEY, data jsonb) WITH (fillfactor = 80);
