-- Several live login codes per number: a code someone else asked for your
-- number no longer replaces the one you are typing. The limits that used
-- to live beside the single code (sends, wrong guesses) are rate_counters
-- now, kept per number and per number and address. Codes live minutes, so
-- the old table's rows are dropped, not carried over.
DROP TABLE otp_codes;
--bun:split
CREATE TABLE otp_codes (
	id {{.ID}},
	mobile TEXT NOT NULL,
	code_hash TEXT NOT NULL,
	expires_at TIMESTAMP NOT NULL
);
--bun:split
CREATE INDEX otp_codes_mobile_idx ON otp_codes (mobile);
