DROP TABLE otp_codes;
--bun:split
CREATE TABLE otp_codes (
	mobile TEXT PRIMARY KEY,
	code_hash TEXT NOT NULL,
	expires_at TIMESTAMP NOT NULL,
	attempts INTEGER NOT NULL DEFAULT 0,
	window_start TIMESTAMP NOT NULL,
	sends INTEGER NOT NULL DEFAULT 0
);
