CREATE TABLE "Orders" ("Total" int);
CREATE FUNCTION "Stamp It"() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
