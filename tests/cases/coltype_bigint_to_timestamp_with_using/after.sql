-- pgproof: convert column public."Log"."createdAt" using to_timestamp("createdAt") AT TIME ZONE 'UTC'
CREATE TABLE "Log" ("id" int PRIMARY KEY, "createdAt" timestamp NOT NULL);
