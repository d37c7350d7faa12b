CREATE DOMAIN label AS varchar(50);
