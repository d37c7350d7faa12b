CREATE TABLE segments (id int PRIMARY KEY, text text);
CREATE FUNCTION segment_text(segment_id int) RETURNS text LANGUAGE sql STABLE BEGIN ATOMIC SELECT text FROM segments WHERE id = segment_id; END;
