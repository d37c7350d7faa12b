CREATE TABLE "Orders" ("Total" int, CONSTRAINT "Total > 0" CHECK ("Total" > 0));
CREATE FUNCTION "Stamp It"() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
CREATE TRIGGER "Stamp Orders" BEFORE INSERT ON "Orders" FOR EACH ROW EXECUTE FUNCTION "Stamp It"();
CREATE INDEX "Orders by Total" ON "Orders" ("Total");
