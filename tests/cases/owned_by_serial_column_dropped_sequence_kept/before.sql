CREATE TABLE tickets (id int, no serial);
