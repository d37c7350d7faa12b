CREATE DOMAIN confidence AS float8 CONSTRAINT confidence_range CHECK (VALUE >= 0 AND VALUE <= 1);
CREATE TABLE segments (id int PRIMARY KEY, speaker_confidence confidence);
