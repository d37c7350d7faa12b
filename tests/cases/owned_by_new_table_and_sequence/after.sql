CREATE SEQUENCE "Ticket No" MINVALUE 5 START 5;
CREATE TABLE "Tickets" (no int DEFAULT nextval('"Ticket No"'));
ALTER SEQUENCE "Ticket No" OWNED BY "Tickets".no;
