CREATE TYPE "MemberState" AS ENUM ('ACTIVE', 'INACTIVE');
-- pgproof: convert column public."Member"."isActive" using CASE WHEN "isActive" THEN 'ACTIVE' ELSE 'INACTIVE' END::"MemberState"
CREATE TABLE "Member" ("id" int PRIMARY KEY, "isActive" "MemberState" NOT NULL DEFAULT 'ACTIVE');
