-- invites has no foreign keys on purpose: in a 3-million-row fan-out each
-- would fire a trigger per row, and the one on workers would take a FOR KEY
-- SHARE lock on (write to) every worker row. Invites are only created from
-- the workers and events tables inside the fan-out transaction; events are
-- cancelled, never deleted, and workers are deactivated; code that ever
-- deletes either must delete their invites and outbox rows itself. Only
-- the indexes the queries need are kept, for the same reason.
CREATE TABLE invites (
	id {{.ID}},
	event_id BIGINT NOT NULL,
	worker_id BIGINT NOT NULL,
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
