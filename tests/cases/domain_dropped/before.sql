CREATE DOMAIN confidence AS float8 CHECK (VALUE >= 0);
CREATE TABLE segments (id int PRIMARY KEY, speaker_confidence confidence);
