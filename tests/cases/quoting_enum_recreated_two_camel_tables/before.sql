CREATE TYPE "Role" AS ENUM ('ADMIN', 'USER', 'GUEST');
CREATE TABLE "User" ("id" int PRIMARY KEY, "userRole" "Role" DEFAULT 'USER');
CREATE TABLE "Invite" ("id" int PRIMARY KEY, "invitedAs" "Role" NOT NULL);
INSERT INTO "User" VALUES (1, 'ADMIN');
INSERT INTO "Invite" VALUES (1, 'USER');
