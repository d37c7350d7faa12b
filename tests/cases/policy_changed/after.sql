CREATE TABLE notes (id int PRIMARY KEY, owner text NOT NULL);
ALTER TABLE notes ENABLE ROW LEVEL SECURITY;
CREATE POLICY notes_owner ON notes USING (owner = current_user) WITH CHECK (owner = current_user);
