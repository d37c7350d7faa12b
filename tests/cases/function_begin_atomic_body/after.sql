CREATE FUNCTION clamp(x float8) RETURNS float8 LANGUAGE sql BEGIN ATOMIC SELECT least(greatest(x, 0), 1); END;
