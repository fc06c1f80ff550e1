DROP TABLE IF EXISTS presence;
--bun:split
DROP TABLE IF EXISTS bridges;
