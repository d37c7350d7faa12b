CREATE TABLE a (no int);
CREATE TABLE b (no int);
CREATE SEQUENCE ticket_no OWNED BY a.no;
