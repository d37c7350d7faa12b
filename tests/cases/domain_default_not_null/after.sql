CREATE DOMAIN label AS text DEFAULT 'Chaffee' NOT NULL;
CREATE TABLE segments (id int PRIMARY KEY, speaker_label label);
