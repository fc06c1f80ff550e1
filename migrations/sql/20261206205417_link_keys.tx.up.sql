-- The keys that sign invite and join links and key login-code hashes,
-- made once and kept so links outlive restarts (schedule.StoredLinkKey).
-- key_id is the 4-bit ID tokens carry; rotation adds a row and gives the
-- older rows an end (verify_until). secret is hex; it is never logged.
CREATE TABLE link_keys (
	id {{.ID}},
	key_id SMALLINT NOT NULL CHECK (key_id BETWEEN 0 AND 15),
	secret TEXT NOT NULL,
	signs_from TIMESTAMP NOT NULL,
	verify_until TIMESTAMP,
	created_at TIMESTAMP NOT NULL
);
