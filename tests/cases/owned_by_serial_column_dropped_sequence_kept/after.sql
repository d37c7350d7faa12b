CREATE SEQUENCE tickets_no_seq AS integer;
CREATE TABLE tickets (id int);
