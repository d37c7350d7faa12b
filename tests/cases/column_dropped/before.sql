CREATE TABLE sources (id int PRIMARY KEY, title text, legacy_flag boolean);
