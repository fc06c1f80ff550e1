-- People who unsubscribed from bulk email (invitations, reminders, change
-- notices) with the one-click link every such email carries. Keyed by the
-- address in lower case, so the opt-out survives a re-import of the
-- worker; login codes and other messages a person must get are not bulk.
CREATE TABLE email_optouts (
	email TEXT PRIMARY KEY,
	worker_id BIGINT,
	invite_id BIGINT,
	created_at TIMESTAMP NOT NULL
);
