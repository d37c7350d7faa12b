CREATE TABLE "Member" ("id" int PRIMARY KEY, "isActive" boolean NOT NULL DEFAULT true);
INSERT INTO "Member" VALUES (1, true), (2, false);
