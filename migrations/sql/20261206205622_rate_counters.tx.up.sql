-- Fixed-window counters for limits and budgets that must hold across
-- processes and restarts: login codes per number and per number and
-- address, wrong codes, the SMS budget for login codes, and officials'
-- matches with records outside their area (existence probes). key names
-- the limit and its subject; window_start is the start of the window.
CREATE TABLE rate_counters (
	key TEXT NOT NULL,
	window_start TIMESTAMP NOT NULL,
	n INTEGER NOT NULL,
	PRIMARY KEY (key, window_start)
);
--bun:split
CREATE INDEX rate_counters_window_idx ON rate_counters (window_start);
