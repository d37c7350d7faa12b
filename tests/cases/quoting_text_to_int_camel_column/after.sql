CREATE TABLE "Cart" ("id" int PRIMARY KEY, "itemCount" integer NOT NULL DEFAULT 0);
