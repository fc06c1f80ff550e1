DROP INDEX IF EXISTS invites_worker_idx;
