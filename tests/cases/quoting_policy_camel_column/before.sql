CREATE TABLE "Document" ("id" int PRIMARY KEY, "ownerId" int NOT NULL, "isPublic" boolean NOT NULL DEFAULT false);
ALTER TABLE "Document" ENABLE ROW LEVEL SECURITY;
CREATE POLICY "ownerReads" ON "Document" FOR SELECT USING ("ownerId" = 1);
