CREATE TABLE "My Table" (id int);
