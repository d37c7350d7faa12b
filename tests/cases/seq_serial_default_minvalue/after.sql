CREATE SEQUENCE ticket_no MINVALUE 7 START WITH 7;
CREATE TABLE tickets (no int DEFAULT nextval('ticket_no') NOT NULL);
