CREATE TABLE "Subscription" ("id" int PRIMARY KEY, "planKind" text DEFAULT 'basic');
INSERT INTO "Subscription" VALUES (1, 'pro');
