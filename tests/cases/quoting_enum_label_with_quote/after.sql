CREATE TYPE answer AS ENUM ('it''s', 'isn''t');
