-- Campaigns (issue 16): a goal against a target date over a unit's
-- subtree. Rules are versioned: campaign_rules keeps every version and
-- campaigns.rule_version names the current one; a snapshot keeps the
-- version it was counted with. Days are calendar days 'YYYY-MM-DD'.
CREATE TABLE campaigns (
	id {{.ID}},
	title TEXT NOT NULL DEFAULT '',
	title_hi TEXT NOT NULL DEFAULT '',
	unit_id BIGINT NOT NULL REFERENCES units(id),
	unit_path {{.PathText}} NOT NULL,
	start_day TEXT NOT NULL,
	target_day TEXT NOT NULL,
	rule_version INTEGER NOT NULL,
	created_at TIMESTAMP NOT NULL
);
--bun:split
CREATE INDEX campaigns_unit_path_idx ON campaigns (unit_path);
--bun:split
CREATE TABLE campaign_rules (
	campaign_id BIGINT NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
	version INTEGER NOT NULL,
	rules TEXT NOT NULL,
	created_at TIMESTAMP NOT NULL,
	PRIMARY KEY (campaign_id, version)
);
--bun:split
-- One row per campaign, unit and day: of the units at the campaign's
-- deepest rule level inside the unit's subtree, how many were ready. A
-- day is written in one transaction (delete and insert), so a crash
-- leaves the previous state of the day and a rerun is idempotent.
CREATE TABLE campaign_snapshots (
	campaign_id BIGINT NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
	unit_id BIGINT NOT NULL REFERENCES units(id),
	day TEXT NOT NULL,
	rule_version INTEGER NOT NULL,
	ready INTEGER NOT NULL,
	total INTEGER NOT NULL,
	PRIMARY KEY (campaign_id, unit_id, day)
);
--bun:split
-- A member's mobile is verified when they proved they hold it (an OTP to
-- it): verified_mobile is the number then, so changing the mobile
-- unverifies it without a trigger.
ALTER TABLE workers ADD COLUMN verified_mobile TEXT;
--bun:split
ALTER TABLE workers ADD COLUMN verified_at TIMESTAMP;
