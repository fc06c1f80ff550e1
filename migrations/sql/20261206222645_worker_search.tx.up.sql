-- Worker search finds any part of a name or mobile ("Kushwaha" in
-- "Ramesh Kushwaha", "मिश्रा", "43210"), not only the start of the name:
-- trigram indexes. PostgreSQL: pg_trgm GIN indexes on the folded name and
-- the mobile, which LIKE '%…%' uses, and the names in order (the database's LC_CTYPE must be a
-- UTF-8 one such as C.UTF-8 so that Devanagari letters make trigrams).
-- The extension lives in public, once per database (an advisory lock keeps
-- concurrent migrations from creating it twice). SQLite: an FTS5 table
-- with the trigram tokenizer over the same two columns, kept by triggers.
{{if .Postgres}}
SELECT pg_advisory_xact_lock(7212604);
--bun:split
CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public;
--bun:split
CREATE INDEX workers_name_trgm_idx ON workers USING gin (name_key public.gin_trgm_ops);
--bun:split
CREATE INDEX workers_mobile_trgm_idx ON workers USING gin (mobile public.gin_trgm_ops);
--bun:split
-- Names in order with their unit, for common texts (store.findWorkersContaining
-- walks it) and name prefixes; it supersedes the name_key index.
CREATE INDEX workers_name_order_idx ON workers (name_key, id) INCLUDE (unit_path);
--bun:split
DROP INDEX IF EXISTS workers_name_key_idx;
{{else}}
CREATE VIRTUAL TABLE workers_search USING fts5(name_key, mobile, content='workers', content_rowid='id', tokenize='trigram');
--bun:split
INSERT INTO workers_search(workers_search) VALUES ('rebuild');
--bun:split
CREATE TRIGGER workers_search_insert AFTER INSERT ON workers BEGIN
  INSERT INTO workers_search(rowid, name_key, mobile) VALUES (new.id, new.name_key, new.mobile);
END;
--bun:split
CREATE TRIGGER workers_search_delete AFTER DELETE ON workers BEGIN
  INSERT INTO workers_search(workers_search, rowid, name_key, mobile) VALUES ('delete', old.id, old.name_key, old.mobile);
END;
--bun:split
CREATE TRIGGER workers_search_update AFTER UPDATE OF name_key, mobile ON workers BEGIN
  INSERT INTO workers_search(workers_search, rowid, name_key, mobile) VALUES ('delete', old.id, old.name_key, old.mobile);
  INSERT INTO workers_search(rowid, name_key, mobile) VALUES (new.id, new.name_key, new.mobile);
END;
{{end}}
