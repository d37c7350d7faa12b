-- A policy whose expression holds a subquery over another table.
CREATE TABLE owners (name text PRIMARY KEY);
CREATE TABLE sources (id int PRIMARY KEY, owner text NOT NULL);
ALTER TABLE sources ENABLE ROW LEVEL SECURITY;
CREATE POLICY own_sources ON sources
    USING (owner IN (SELECT o.name FROM owners o WHERE o.name = current_user));
