-- The audit log keeps a detail that is a message (an import's counts, an
-- invitation's numbers) in translatable form too (schedule.Msg as JSON),
-- so it reads in the language of whoever opens the log. detail keeps the
-- English text for the API and for rows written before.
ALTER TABLE audit_log ADD COLUMN detail_msg TEXT NOT NULL DEFAULT ''
