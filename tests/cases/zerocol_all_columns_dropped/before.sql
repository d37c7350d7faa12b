CREATE TABLE marker (a int, b text);
