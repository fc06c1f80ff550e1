ALTER TABLE audit_log DROP COLUMN detail_msg
