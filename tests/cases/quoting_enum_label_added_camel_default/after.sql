CREATE TYPE "Visibility" AS ENUM ('PUBLIC', 'UNLISTED', 'PRIVATE');
CREATE TABLE "Post" ("id" int PRIMARY KEY, "postVisibility" "Visibility" NOT NULL DEFAULT 'UNLISTED');
