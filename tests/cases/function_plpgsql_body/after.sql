CREATE FUNCTION clamp(x float8) RETURNS float8 LANGUAGE plpgsql AS $$ BEGIN RETURN least(greatest(x, 0), 1); END $$;
