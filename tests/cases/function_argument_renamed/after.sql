CREATE FUNCTION clamp(value float8) RETURNS float8 LANGUAGE sql AS $$ SELECT greatest($1, 0) $$;
