{{if .Postgres}}
DROP INDEX IF EXISTS workers_name_trgm_idx;
--bun:split
DROP INDEX IF EXISTS workers_mobile_trgm_idx;
--bun:split
CREATE INDEX IF NOT EXISTS workers_name_key_idx ON workers (name_key);
--bun:split
DROP INDEX IF EXISTS workers_name_order_idx;
{{else}}
DROP TRIGGER IF EXISTS workers_search_insert;
--bun:split
DROP TRIGGER IF EXISTS workers_search_delete;
--bun:split
DROP TRIGGER IF EXISTS workers_search_update;
--bun:split
DROP TABLE IF EXISTS workers_search;
{{end}}
