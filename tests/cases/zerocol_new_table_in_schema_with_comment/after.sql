CREATE SCHEMA app;
CREATE TABLE app."Marker" ();
COMMENT ON TABLE app."Marker" IS 'no columns';
