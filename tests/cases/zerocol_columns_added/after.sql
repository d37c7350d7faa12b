CREATE TABLE marker (a int, b text DEFAULT 'x');
