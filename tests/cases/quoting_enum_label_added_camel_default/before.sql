CREATE TYPE "Visibility" AS ENUM ('PUBLIC', 'PRIVATE');
CREATE TABLE "Post" ("id" int PRIMARY KEY, "postVisibility" "Visibility" NOT NULL DEFAULT 'PUBLIC');
INSERT INTO "Post" VALUES (1, 'PRIVATE');
