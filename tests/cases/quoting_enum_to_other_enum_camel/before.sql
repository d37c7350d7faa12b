CREATE TYPE "LegacyStatus" AS ENUM ('OPEN', 'CLOSED');
CREATE TYPE "TaskStatus" AS ENUM ('OPEN', 'CLOSED', 'ARCHIVED');
CREATE TABLE "Task" ("id" int PRIMARY KEY, "taskStatus" "LegacyStatus" DEFAULT 'OPEN');
INSERT INTO "Task" VALUES (1, 'CLOSED');
