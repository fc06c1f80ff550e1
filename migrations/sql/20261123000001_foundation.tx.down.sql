DROP TABLE IF EXISTS audit_log;
--bun:split
DROP TABLE IF EXISTS sms_log;
--bun:split
DROP TABLE IF EXISTS sessions;
--bun:split
DROP TABLE IF EXISTS otp_codes;
--bun:split
DROP TABLE IF EXISTS worker_roles;
--bun:split
DROP TABLE IF EXISTS workers;
--bun:split
DROP TABLE IF EXISTS units;
--bun:split
DROP TABLE IF EXISTS roles;
--bun:split
DROP TABLE IF EXISTS levels;
