CREATE TABLE segments (id int PRIMARY KEY, speaker_confidence float8);
