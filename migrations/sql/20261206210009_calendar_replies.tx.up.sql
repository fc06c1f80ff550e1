-- Every message that reaches the calendar-reply endpoint (app/mailin), with
-- what became of it: an RSVP applied, or why not (unmatched, unknown
-- sender, cancelled event, malformed, oversized, duplicate …). Nothing is
-- dropped silently; the state office can read them.
CREATE TABLE calendar_replies (
	id {{.ID}},
	received_at TIMESTAMP NOT NULL,
	message_id TEXT NOT NULL DEFAULT '',
	mail_from TEXT NOT NULL DEFAULT '',
	from_addr TEXT NOT NULL DEFAULT '',
	size BIGINT NOT NULL DEFAULT 0,
	uid TEXT NOT NULL DEFAULT '',
	attendee TEXT NOT NULL DEFAULT '',
	partstat TEXT NOT NULL DEFAULT '',
	sequence INTEGER NOT NULL DEFAULT 0,
	event_id BIGINT,
	invite_id BIGINT,
	outcome TEXT NOT NULL,
	detail TEXT NOT NULL DEFAULT '',
	raw TEXT NOT NULL DEFAULT ''
);
--bun:split
CREATE INDEX calendar_replies_received_idx ON calendar_replies (received_at);
--bun:split
CREATE INDEX calendar_replies_message_idx ON calendar_replies (message_id);
