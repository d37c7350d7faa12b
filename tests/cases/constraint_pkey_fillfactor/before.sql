CREATE TABLE sources (id int, CONSTRAINT sources_pkey PRIMARY KEY (id));
