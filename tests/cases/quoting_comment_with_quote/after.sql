CREATE TABLE t (x int);
COMMENT ON TABLE t IS 'it''s "quoted"';
COMMENT ON COLUMN t.x IS 'O''Brien''s';
