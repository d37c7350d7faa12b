CREATE SEQUENCE ticket_no;
CREATE TABLE tickets (no int DEFAULT nextval('ticket_no'));
ALTER SEQUENCE ticket_no OWNED BY tickets.no;
