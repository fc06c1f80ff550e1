-- A roster checked against a series (uploaded, the 2022 sample, or edited
-- by hand) is kept beside the planner's roster instead of replacing it,
-- so Publish can ask which of the two to publish. JSON:
-- {"source":"csv","assignments":[{"date":…,"host":…,"district":…},…]}.
ALTER TABLE workshop_series ADD COLUMN checked_roster TEXT NOT NULL DEFAULT ''
