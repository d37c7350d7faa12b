-- The target does not have the new type: only the desired database can tell that no cast
-- leads from integer to it (a warm run once asked the target, and missed the gap).
CREATE TABLE items (id int PRIMARY KEY, mood int);
