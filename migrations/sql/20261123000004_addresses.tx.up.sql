-- Mass addresses (issue 7): one row per event of type "address" with its
-- room plan and the state of its LiveKit rooms. The plan is stored as JSON
-- (schedule.AddressPlan) so the scheduler, the join directory and the
-- turnout pages read the same rooms the office saw when it planned them.
-- address_areas repeats the plan per area (district) for SQL: turnout and
-- bridges join on (address_id, area_id).
CREATE TABLE addresses (
	id {{.ID}},
	event_id BIGINT NOT NULL UNIQUE REFERENCES events(id),
	unit_path {{.PathText}} NOT NULL,
	speakers TEXT NOT NULL DEFAULT '',
	speakers_hi TEXT NOT NULL DEFAULT '',
	listeners_per_room INTEGER NOT NULL DEFAULT 2000,
	scope_unit_ids TEXT NOT NULL DEFAULT '',
	expected_audience INTEGER NOT NULL DEFAULT 0,
	room_count INTEGER NOT NULL DEFAULT 0,
	plan TEXT NOT NULL DEFAULT '',
	room_state TEXT NOT NULL DEFAULT 'planned',
	room_error TEXT NOT NULL DEFAULT '',
	room_attempts INTEGER NOT NULL DEFAULT 0,
	rooms_ready_at TIMESTAMP,
	created_by TEXT NOT NULL DEFAULT '',
	created_at TIMESTAMP NOT NULL,
	updated_at TIMESTAMP NOT NULL,
	started_at TIMESTAMP,
	ended_at TIMESTAMP
);
--bun:split
CREATE INDEX addresses_unit_path_idx ON addresses (unit_path);
--bun:split
CREATE INDEX addresses_room_state_idx ON addresses (room_state);
--bun:split
CREATE TABLE address_areas (
	address_id BIGINT NOT NULL REFERENCES addresses(id) ON DELETE CASCADE,
	area_id BIGINT NOT NULL,
	area_path {{.PathText}} NOT NULL,
	audience INTEGER NOT NULL DEFAULT 0,
	rooms INTEGER NOT NULL DEFAULT 1,
	PRIMARY KEY (address_id, area_id)
);
