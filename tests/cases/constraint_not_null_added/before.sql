CREATE TABLE segments (id int PRIMARY KEY, speaker_label text);
