CREATE TYPE "Money" AS ("amountCents" bigint, "currency" text);
-- pgproof: convert column "Invoice"."total" using ROW("total", 'EUR')::"Money"
CREATE TABLE "Invoice" ("id" int PRIMARY KEY, "total" "Money");
