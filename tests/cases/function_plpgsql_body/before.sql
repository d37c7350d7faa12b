CREATE FUNCTION clamp(x float8) RETURNS float8 LANGUAGE plpgsql AS $$ BEGIN RETURN greatest(x, 0); END $$;
