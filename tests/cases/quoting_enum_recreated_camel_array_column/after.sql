CREATE TYPE "Tag" AS ENUM ('NEW', 'HOT');
CREATE TABLE "Article" ("id" int PRIMARY KEY, "articleTags" "Tag"[] NOT NULL DEFAULT '{NEW}');
