CREATE TYPE "PlanKind" AS ENUM ('free', 'pro');
CREATE TABLE "Account" ("id" int PRIMARY KEY, "planKind" "PlanKind" NOT NULL DEFAULT 'free');
