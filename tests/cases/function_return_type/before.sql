CREATE FUNCTION segment_count(v text) RETURNS integer LANGUAGE sql AS $$ SELECT 1 $$;
