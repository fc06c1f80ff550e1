DROP TABLE IF EXISTS event_types;
--bun:split
DROP TABLE IF EXISTS feed_tokens;
--bun:split
DROP TABLE IF EXISTS event_guests;
--bun:split
DROP TABLE IF EXISTS event_organisers;
--bun:split
DROP TABLE IF EXISTS events;
--bun:split
DROP TABLE IF EXISTS programmes;
--bun:split
DROP TABLE IF EXISTS guests;
