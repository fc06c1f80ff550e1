DROP TABLE workshop_events;
--bun:split
DROP TABLE workshop_districts;
--bun:split
DROP TABLE workshop_series;
--bun:split
DROP TABLE district_hq;
