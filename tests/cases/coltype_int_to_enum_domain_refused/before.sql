CREATE TYPE "Tier" AS ENUM ('GOLD', 'SILVER');
CREATE DOMAIN "TierCode" AS "Tier";
CREATE TABLE "Customer" ("id" int PRIMARY KEY, "tierCode" int);
