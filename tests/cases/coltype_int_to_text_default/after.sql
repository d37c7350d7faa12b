CREATE TABLE items (id int PRIMARY KEY, code text DEFAULT 'none');
