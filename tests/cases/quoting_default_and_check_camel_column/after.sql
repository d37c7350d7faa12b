CREATE TABLE "Event" ("id" int PRIMARY KEY, "startsAt" timestamptz NOT NULL DEFAULT now(),
    "endsAt" timestamptz, "durationS" double precision GENERATED ALWAYS AS (extract(epoch FROM "endsAt" - "startsAt")) STORED,
    CONSTRAINT "Event_endsAfterStart" CHECK ("endsAt" > "startsAt"));
