CREATE TABLE sources (id int PRIMARY KEY, last_updated timestamptz);
CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.last_updated = now(); RETURN NEW; END $$;
CREATE TRIGGER sources_touch BEFORE INSERT OR UPDATE ON sources FOR EACH ROW EXECUTE FUNCTION touch();
