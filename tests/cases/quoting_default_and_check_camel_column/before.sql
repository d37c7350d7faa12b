CREATE TABLE "Event" ("id" int PRIMARY KEY, "startsAt" timestamptz NOT NULL, "endsAt" timestamptz);
INSERT INTO "Event" VALUES (1, '2026-01-01', '2026-01-02');
