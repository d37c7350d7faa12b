CREATE TYPE answer AS ENUM ('yes', 'o''clock');
