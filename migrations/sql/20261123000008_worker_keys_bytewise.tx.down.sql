{{if .Postgres}}ALTER TABLE workers ALTER COLUMN mobile TYPE TEXT COLLATE "default", ALTER COLUMN voter_id TYPE TEXT COLLATE "default"{{else}}SELECT 1{{end}}
