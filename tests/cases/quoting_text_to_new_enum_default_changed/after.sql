CREATE TYPE "PlanKind" AS ENUM ('free', 'pro');
CREATE TABLE "Subscription" ("id" int PRIMARY KEY, "planKind" "PlanKind" DEFAULT 'free');
