CREATE DOMAIN label AS text;
CREATE TABLE segments (id int PRIMARY KEY, speaker_label label);
