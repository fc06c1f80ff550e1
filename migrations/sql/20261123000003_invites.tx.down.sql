DROP TABLE invite_settings;
--bun:split
DROP TABLE message_templates;
--bun:split
DROP TABLE outbox;
--bun:split
DROP TABLE invites;
