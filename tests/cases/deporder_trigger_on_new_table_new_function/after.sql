CREATE FUNCTION z_stamp() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.kind := coalesce(NEW.kind, 'none'); RETURN NEW; END $$;
CREATE TABLE a_events (kind text);
CREATE TRIGGER a_events_stamp BEFORE INSERT ON a_events FOR EACH ROW EXECUTE FUNCTION z_stamp();
