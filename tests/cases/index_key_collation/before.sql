CREATE TABLE words (id int PRIMARY KEY, word text NOT NULL);
CREATE INDEX words_word ON words (word);
