CREATE TABLE "My Table" (id int, "Second Column" text DEFAULT 'it''s');
