DROP TABLE campaign_snapshots;
--bun:split
DROP TABLE campaign_rules;
--bun:split
DROP TABLE campaigns;
--bun:split
ALTER TABLE workers DROP COLUMN verified_at;
--bun:split
ALTER TABLE workers DROP COLUMN verified_mobile;
