CREATE TABLE sources (id int PRIMARY KEY, status text);
CREATE INDEX sources_status ON sources (status);
