CREATE TYPE "Priority" AS ENUM ('LOW', 'MEDIUM', 'HIGH');
CREATE TABLE "Ticket" ("id" int PRIMARY KEY, "ticketPriority" "Priority" NOT NULL DEFAULT 'MEDIUM');
