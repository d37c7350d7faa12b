CREATE TYPE "Money" AS ("amountCents" bigint, "currency" text);
CREATE TABLE "Invoice" ("id" int PRIMARY KEY, "total" int);
