CREATE TYPE "Money" AS ("amountCents" bigint, "currency" text);
CREATE TABLE "Invoice" ("id" int PRIMARY KEY, "total" int);
INSERT INTO "Invoice" VALUES (1, 1250);
