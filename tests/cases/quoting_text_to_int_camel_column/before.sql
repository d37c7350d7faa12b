CREATE TABLE "Cart" ("id" int PRIMARY KEY, "itemCount" text NOT NULL DEFAULT '0');
INSERT INTO "Cart" VALUES (1, '3');
