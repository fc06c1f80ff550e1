CREATE TABLE invites (
	id {{.ID}},
	event_id BIGINT NOT NULL REFERENCES events(id) ON DELETE CASCADE,
	worker_id BIGINT NOT NULL REFERENCES workers(id) ON DELETE CASCADE,
	unit_path {{.PathText}} NOT NULL,
	channel TEXT NOT NULL,
	status TEXT NOT NULL DEFAULT 'queued',
	rsvp TEXT NOT NULL DEFAULT '',
	rsvp_at TIMESTAMP,
	revoked BOOLEAN NOT NULL DEFAULT FALSE,
	created_at TIMESTAMP NOT NULL,
	UNIQUE (event_id, worker_id)
);
--bun:split
CREATE INDEX invites_event_path_idx ON invites (event_id, unit_path);
--bun:split
CREATE TABLE outbox (
	id {{.ID}},
	idem_key TEXT NOT NULL UNIQUE,
	event_id BIGINT,
	invite_id BIGINT,
	kind TEXT NOT NULL,
	channel TEXT NOT NULL,
	recipient TEXT NOT NULL,
	subject TEXT NOT NULL DEFAULT '',
	body TEXT NOT NULL DEFAULT '',
	payload TEXT NOT NULL DEFAULT '',
	status TEXT NOT NULL DEFAULT 'queued',
	attempts INTEGER NOT NULL DEFAULT 0,
	next_attempt_at TIMESTAMP NOT NULL,
	last_error TEXT NOT NULL DEFAULT '',
	created_at TIMESTAMP NOT NULL,
	sent_at TIMESTAMP
);
--bun:split
CREATE INDEX outbox_due_idx ON outbox (status, next_attempt_at);
--bun:split
CREATE INDEX outbox_invite_idx ON outbox (invite_id, kind);
--bun:split
CREATE INDEX outbox_event_idx ON outbox (event_id, kind);
--bun:split
CREATE TABLE message_templates (
	event_type TEXT NOT NULL,
	kind TEXT NOT NULL,
	channel TEXT NOT NULL,
	lang TEXT NOT NULL,
	subject TEXT NOT NULL DEFAULT '',
	body TEXT NOT NULL,
	updated_by TEXT NOT NULL DEFAULT '',
	updated_at TIMESTAMP NOT NULL,
	PRIMARY KEY (event_type, kind, channel, lang)
);
--bun:split
CREATE TABLE invite_settings (
	event_id BIGINT PRIMARY KEY REFERENCES events(id) ON DELETE CASCADE,
	reminders TEXT NOT NULL DEFAULT '',
	bridge_number TEXT NOT NULL DEFAULT '',
	bridge_pin TEXT NOT NULL DEFAULT '',
	join_url TEXT NOT NULL DEFAULT '',
	venue_hi TEXT NOT NULL DEFAULT '',
	updated_at TIMESTAMP NOT NULL
);
