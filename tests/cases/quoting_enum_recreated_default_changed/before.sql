CREATE TYPE "Priority" AS ENUM ('LOW', 'MEDIUM', 'HIGH', 'URGENT');
CREATE TABLE "Ticket" ("id" int PRIMARY KEY, "ticketPriority" "Priority" NOT NULL DEFAULT 'LOW');
INSERT INTO "Ticket" VALUES (1, 'HIGH');
