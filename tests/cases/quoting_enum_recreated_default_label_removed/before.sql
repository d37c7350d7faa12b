CREATE TYPE "PlanKind" AS ENUM ('basic', 'pro');
CREATE TABLE "Account" ("id" int PRIMARY KEY, "planKind" "PlanKind" NOT NULL DEFAULT 'basic');
INSERT INTO "Account" VALUES (1, 'pro');
