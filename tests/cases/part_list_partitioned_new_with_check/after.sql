CREATE TABLE items (id int NOT NULL, region text NOT NULL, CONSTRAINT items_id_positive CHECK (id > 0)) PARTITION BY LIST (region);
CREATE TABLE items_eu PARTITION OF items FOR VALUES IN ('eu');
CREATE TABLE items_us PARTITION OF items FOR VALUES IN ('us');
CREATE INDEX items_region_id ON items (region, id);
