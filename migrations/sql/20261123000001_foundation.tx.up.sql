CREATE TABLE levels (
	depth INTEGER PRIMARY KEY,
	key TEXT NOT NULL UNIQUE,
	name TEXT NOT NULL,
	name_hi TEXT NOT NULL DEFAULT ''
);
--bun:split
CREATE TABLE roles (
	key TEXT PRIMARY KEY,
	name TEXT NOT NULL,
	name_hi TEXT NOT NULL DEFAULT '',
	official BOOLEAN NOT NULL DEFAULT FALSE
);
--bun:split
CREATE TABLE units (
	id {{.ID}},
	parent_id BIGINT REFERENCES units(id),
	depth INTEGER NOT NULL,
	code TEXT NOT NULL UNIQUE,
	name TEXT NOT NULL DEFAULT '',
	name_hi TEXT NOT NULL DEFAULT '',
	path {{.PathText}} NOT NULL UNIQUE
);
--bun:split
CREATE INDEX units_parent_idx ON units (parent_id);
--bun:split
CREATE TABLE workers (
	id {{.ID}},
	name TEXT NOT NULL,
	name_key {{.PathText}} NOT NULL DEFAULT '',
	mobile TEXT,
	voter_id TEXT UNIQUE,
	gender TEXT NOT NULL DEFAULT '',
	social TEXT NOT NULL DEFAULT '',
	email TEXT NOT NULL DEFAULT '',
	language TEXT NOT NULL DEFAULT '',
	unit_id BIGINT NOT NULL REFERENCES units(id),
	unit_path {{.PathText}} NOT NULL,
	work TEXT NOT NULL DEFAULT '',
	active BOOLEAN NOT NULL DEFAULT TRUE,
	updated_at TIMESTAMP NOT NULL DEFAULT {{.Now}}
);
--bun:split
CREATE INDEX workers_unit_path_idx ON workers (unit_path);
--bun:split
CREATE INDEX workers_mobile_idx ON workers (mobile);
--bun:split
CREATE INDEX workers_name_key_idx ON workers (name_key);
--bun:split
CREATE TABLE worker_roles (
	worker_id BIGINT NOT NULL REFERENCES workers(id) ON DELETE CASCADE,
	role_key TEXT NOT NULL REFERENCES roles(key),
	unit_id BIGINT NOT NULL REFERENCES units(id),
	unit_path {{.PathText}} NOT NULL,
	PRIMARY KEY (worker_id, role_key, unit_id)
);
--bun:split
CREATE INDEX worker_roles_path_idx ON worker_roles (unit_path, role_key);
--bun:split
CREATE TABLE otp_codes (
	mobile TEXT PRIMARY KEY,
	code_hash TEXT NOT NULL,
	expires_at TIMESTAMP NOT NULL,
	attempts INTEGER NOT NULL DEFAULT 0,
	window_start TIMESTAMP NOT NULL,
	sends INTEGER NOT NULL DEFAULT 0
);
--bun:split
CREATE TABLE sessions (
	token_hash TEXT PRIMARY KEY,
	worker_id BIGINT NOT NULL REFERENCES workers(id) ON DELETE CASCADE,
	created_at TIMESTAMP NOT NULL,
	expires_at TIMESTAMP NOT NULL
);
--bun:split
CREATE TABLE sms_log (
	id {{.ID}},
	at TIMESTAMP NOT NULL,
	mobile TEXT NOT NULL,
	body TEXT NOT NULL,
	purpose TEXT NOT NULL DEFAULT ''
);
--bun:split
CREATE TABLE audit_log (
	id {{.ID}},
	at TIMESTAMP NOT NULL,
	actor_id BIGINT,
	actor_name TEXT NOT NULL DEFAULT '',
	action TEXT NOT NULL,
	entity TEXT NOT NULL,
	entity_id BIGINT,
	unit_path {{.PathText}} NOT NULL DEFAULT '/',
	detail TEXT NOT NULL DEFAULT ''
);
--bun:split
CREATE INDEX audit_log_path_idx ON audit_log (unit_path, at);
