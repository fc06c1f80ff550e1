DROP TABLE IF EXISTS address_areas;
--bun:split
DROP TABLE IF EXISTS addresses;
