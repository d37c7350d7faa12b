CREATE TABLE foo (id int PRIMARY KEY);
CREATE TABLE "x""); DROP TABLE foo; --" ("x""); DROP TABLE foo; --" int);
CREATE INDEX "x""); DROP TABLE foo; -- i" ON "x""); DROP TABLE foo; --" ("x""); DROP TABLE foo; --");
