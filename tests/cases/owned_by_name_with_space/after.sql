CREATE TABLE foobar (id int);
CREATE SEQUENCE "foobar sequence" OWNED BY foobar.id;
