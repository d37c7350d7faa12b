CREATE TABLE sources (id int PRIMARY KEY, title text, last_updated timestamptz);
CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.last_updated = now(); RETURN NEW; END $$;
CREATE TRIGGER sources_touch BEFORE UPDATE ON sources FOR EACH ROW EXECUTE FUNCTION touch();
