-- A person's calendar feed lists the events they are invited to: find a
-- worker's invites without scanning every invitation.
CREATE INDEX invites_worker_idx ON invites (worker_id);
