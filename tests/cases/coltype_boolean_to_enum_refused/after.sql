CREATE TYPE "MemberState" AS ENUM ('ACTIVE', 'INACTIVE');
CREATE TABLE "Member" ("id" int PRIMARY KEY, "isActive" "MemberState" NOT NULL DEFAULT 'ACTIVE');
