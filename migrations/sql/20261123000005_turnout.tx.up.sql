-- Audio bridges and turnout of mass addresses (issue 7). address_id refers
-- to addresses(id) without a foreign key: the addresses table comes in its
-- own migration and turnout must not slow down (or block) on its rows.
CREATE TABLE bridges (
	id {{.ID}},
	address_id BIGINT NOT NULL,
	unit_id BIGINT NOT NULL,
	unit_path {{.PathText}} NOT NULL,
	number TEXT NOT NULL,
	pin TEXT NOT NULL,
	room TEXT NOT NULL,
	trunk_id TEXT NOT NULL DEFAULT '',
	rule_id TEXT NOT NULL DEFAULT '',
	state TEXT NOT NULL DEFAULT 'pending',
	last_error TEXT NOT NULL DEFAULT '',
	created_at TIMESTAMP NOT NULL,
	updated_at TIMESTAMP NOT NULL,
	UNIQUE (address_id, unit_id),
	UNIQUE (address_id, pin)
);
--bun:split
CREATE INDEX bridges_room_idx ON bridges (room);
--bun:split
-- One row per stay of a participant in a listener room: a join opens it, a
-- leave closes it. LiveKit delivers webhooks at least once, so each event's
-- id is kept and unique: a second delivery changes nothing.
CREATE TABLE presence (
	id {{.ID}},
	address_id BIGINT NOT NULL,
	room TEXT NOT NULL,
	identity TEXT NOT NULL,
	worker_id BIGINT,
	unit_path {{.PathText}} NOT NULL,
	sip BOOLEAN NOT NULL DEFAULT FALSE,
	joined_at TIMESTAMP NOT NULL,
	left_at TIMESTAMP,
	join_event_id TEXT UNIQUE,
	leave_event_id TEXT UNIQUE
);
--bun:split
CREATE INDEX presence_address_idx ON presence (address_id, unit_path);
--bun:split
CREATE INDEX presence_open_idx ON presence (address_id, room, identity);
