CREATE TYPE "Role" AS ENUM ('USER', 'ADMIN');
CREATE TABLE "User" ("id" int PRIMARY KEY, "userRole" "Role" DEFAULT 'USER');
CREATE TABLE "Invite" ("id" int PRIMARY KEY, "invitedAs" "Role" NOT NULL);
