CREATE TYPE "Tag" AS ENUM ('NEW', 'HOT', 'OLD');
CREATE TABLE "Article" ("id" int PRIMARY KEY, "articleTags" "Tag"[] NOT NULL DEFAULT '{NEW}');
INSERT INTO "Article" VALUES (1, '{HOT}');
