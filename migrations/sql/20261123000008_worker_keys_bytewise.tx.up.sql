-- Mobile numbers and voter IDs are ASCII identifiers compared for
-- equality: compare them bytewise on Postgres, as tree paths already are.
-- Sorting them for an index is then a memcmp, not a locale comparison,
-- which speeds up rebuilding those indexes after a bulk import.
{{if .Postgres}}ALTER TABLE workers ALTER COLUMN mobile TYPE TEXT COLLATE "C", ALTER COLUMN voter_id TYPE TEXT COLLATE "C"{{else}}SELECT 1{{end}}
