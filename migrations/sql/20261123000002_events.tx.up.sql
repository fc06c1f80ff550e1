CREATE TABLE guests (
	id {{.ID}},
	name TEXT NOT NULL,
	name_hi TEXT NOT NULL DEFAULT '',
	title TEXT NOT NULL DEFAULT '',
	worker_id BIGINT REFERENCES workers(id),
	home_lat DOUBLE PRECISION,
	home_lon DOUBLE PRECISION,
	unit_path {{.PathText}} NOT NULL DEFAULT '/'
);
--bun:split
CREATE TABLE programmes (
	id {{.ID}},
	type TEXT NOT NULL,
	title TEXT NOT NULL DEFAULT '',
	title_hi TEXT NOT NULL DEFAULT '',
	description TEXT NOT NULL DEFAULT '',
	window_start TIMESTAMP NOT NULL,
	window_end TIMESTAMP NOT NULL,
	level_depth INTEGER NOT NULL,
	root_unit_id BIGINT NOT NULL REFERENCES units(id),
	root_path {{.PathText}} NOT NULL,
	proposed_start TIMESTAMP,
	proposed_minutes INTEGER NOT NULL DEFAULT 0,
	created_by BIGINT,
	created_at TIMESTAMP NOT NULL,
	last_run_at TIMESTAMP
);
--bun:split
CREATE INDEX programmes_root_path_idx ON programmes (root_path);
--bun:split
CREATE TABLE events (
	id {{.ID}},
	uid TEXT NOT NULL UNIQUE,
	unit_id BIGINT NOT NULL REFERENCES units(id),
	unit_path {{.PathText}} NOT NULL,
	type TEXT NOT NULL,
	title TEXT NOT NULL DEFAULT '',
	title_hi TEXT NOT NULL DEFAULT '',
	description TEXT NOT NULL DEFAULT '',
	venue_name TEXT NOT NULL DEFAULT '',
	venue_lat DOUBLE PRECISION,
	venue_lon DOUBLE PRECISION,
	start_at TIMESTAMP NOT NULL,
	end_at TIMESTAMP NOT NULL,
	status TEXT NOT NULL DEFAULT 'confirmed',
	sequence INTEGER NOT NULL DEFAULT 0,
	rrule TEXT NOT NULL DEFAULT '',
	exdates TEXT NOT NULL DEFAULT '[]',
	overrides TEXT NOT NULL DEFAULT '[]',
	programme_id BIGINT REFERENCES programmes(id),
	link_version INTEGER NOT NULL DEFAULT 1,
	updated_at TIMESTAMP NOT NULL,
	series_end_at TIMESTAMP NOT NULL,
	level_depth INTEGER NOT NULL DEFAULT 0,
	created_at TIMESTAMP NOT NULL DEFAULT {{.Now}}
);
--bun:split
CREATE INDEX events_unit_path_idx ON events (unit_path, start_at);
--bun:split
CREATE INDEX events_unit_idx ON events (unit_id, start_at);
--bun:split
CREATE INDEX events_programme_idx ON events (programme_id, unit_id);
--bun:split
CREATE TABLE event_organisers (
	event_id BIGINT NOT NULL REFERENCES events(id) ON DELETE CASCADE,
	worker_id BIGINT NOT NULL REFERENCES workers(id),
	PRIMARY KEY (event_id, worker_id)
);
--bun:split
CREATE INDEX event_organisers_worker_idx ON event_organisers (worker_id);
--bun:split
CREATE TABLE event_guests (
	event_id BIGINT NOT NULL REFERENCES events(id) ON DELETE CASCADE,
	guest_id BIGINT NOT NULL REFERENCES guests(id),
	series BOOLEAN NOT NULL DEFAULT TRUE,
	PRIMARY KEY (event_id, guest_id)
);
--bun:split
CREATE INDEX event_guests_guest_idx ON event_guests (guest_id);
--bun:split
CREATE TABLE feed_tokens (
	token_hash TEXT PRIMARY KEY,
	kind TEXT NOT NULL,
	subject_id BIGINT NOT NULL,
	created_by BIGINT,
	created_at TIMESTAMP NOT NULL,
	revoked_at TIMESTAMP,
	unit_path {{.PathText}} NOT NULL DEFAULT '/',
	label TEXT NOT NULL DEFAULT '',
	lang TEXT NOT NULL DEFAULT 'en'
);
--bun:split
CREATE INDEX feed_tokens_path_idx ON feed_tokens (unit_path);
--bun:split
CREATE TABLE event_types (
	key TEXT PRIMARY KEY,
	name TEXT NOT NULL,
	name_hi TEXT NOT NULL DEFAULT ''
);
--bun:split
INSERT INTO event_types (key, name, name_hi) VALUES
	('sports', 'Sports', 'खेल'),
	('speech', 'Speech', 'भाषण'),
	('meeting', 'Meeting', 'बैठक'),
	('training', 'Training', 'प्रशिक्षण'),
	('listening', 'Listening session', 'श्रवण सत्र'),
	('address', 'Address', 'संबोधन');
