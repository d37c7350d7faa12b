CREATE TABLE "My Table" ("Column One" int PRIMARY KEY, "select" text, "a""b" text);
CREATE INDEX "My Index" ON "My Table" ("select");
