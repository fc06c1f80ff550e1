ALTER TABLE workshop_series DROP COLUMN checked_roster
