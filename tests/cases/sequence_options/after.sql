CREATE SEQUENCE ticket_seq AS integer START WITH 1000 INCREMENT BY 5 CACHE 10;
CREATE TABLE tickets (id bigint PRIMARY KEY DEFAULT nextval('ticket_seq'));
