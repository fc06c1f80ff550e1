#!/usr/bin/env bash
# Starts the services the tests use, on loopback, when they are not up:
# PostgreSQL on 127.0.0.1:5432 (user postgres, database "test", for
# KARYAKRAM_TEST_DSN) and Redis on 127.0.0.1:6379 (livekit-server with SIP).
# Idempotent. Tests whose service is absent skip with a line naming this
# script (Redis) or KARYAKRAM_TEST_DSN (PostgreSQL-only tests).
set -euo pipefail

if ! pg_isready -h 127.0.0.1 -p 5432 >/dev/null 2>&1; then
	echo "services: starting PostgreSQL" >&2
	pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | sort -V | tail -1)" main start
	for _ in $(seq 30); do
		pg_isready -h 127.0.0.1 -p 5432 >/dev/null 2>&1 && break
		sleep 1
	done
fi
if ! psql -h 127.0.0.1 -U postgres -d test -c 'select 1' >/dev/null 2>&1; then
	createdb -h 127.0.0.1 -U postgres test 2>/dev/null || true
fi
if ! redis-cli -h 127.0.0.1 ping >/dev/null 2>&1; then
	echo "services: starting Redis" >&2
	redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no
fi
