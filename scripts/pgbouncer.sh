#!/usr/bin/env bash
# PgBouncer in transaction pooling mode in front of the local PostgreSQL
# (127.0.0.1:5432), on loopback. Idempotent.
#
#   scripts/pgbouncer.sh start   # prints KARYAKRAM_PGBOUNCER_DSN=... (shell-sourceable)
#   scripts/pgbouncer.sh stop
#   scripts/pgbouncer.sh status  # the pools (SHOW POOLS), or exit 1 when down
#
#   KARYAKRAM_PGBOUNCER_PORT   listen port (default 6432)
#   KARYAKRAM_PGBOUNCER_POOL   server connections per database/user pair (default 20)
#   KARYAKRAM_PG_HOST/PORT     the primary (default 127.0.0.1 / 5432)
#
# Every database of the primary is reachable under its own name (the `*`
# entry), with trust auth as on the primary. Transaction mode hands a
# server connection to a client for one transaction only, so clients must
# keep no session state between transactions: no named prepared statements
# (karyakram's store uses pgx's exec mode, see app/store/store.go), no SET
# outside a transaction (SET LOCAL instead), no session advisory locks, no
# LISTEN, no temporary tables that outlive a transaction. The store's tests
# run a slice of their suite through this port (app/store TestThroughPgBouncer).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
source "$here/run-dir.sh"

port="${KARYAKRAM_PGBOUNCER_PORT:-6432}"
pool="${KARYAKRAM_PGBOUNCER_POOL:-20}"
pg_host="${KARYAKRAM_PG_HOST:-127.0.0.1}"
pg_port="${KARYAKRAM_PG_PORT:-5432}"
dir="$run_root/pgbouncer"
pidfile="$dir/pgbouncer.pid"

dsn() { echo "KARYAKRAM_PGBOUNCER_DSN=postgres://postgres@127.0.0.1:$port/test?sslmode=disable"; }

start() {
	command -v pgbouncer >/dev/null || { echo "pgbouncer not found: run scripts/apt-packages.sh (Debian package pgbouncer)" >&2; exit 1; }
	if pid_alive "$pidfile"; then
		dsn
		return
	fi
	if tcp_open 127.0.0.1 "$port"; then
		echo "pgbouncer: port $port is taken by another program (set KARYAKRAM_PGBOUNCER_PORT)" >&2
		exit 1
	fi
	dir=$(run_dir pgbouncer)
	# One file descriptor per client and per server connection, plus slack.
	local maxclient=$(($(ulimit -n) - 200))
	((maxclient > 10000)) && maxclient=10000
	cat >"$dir/pgbouncer.ini" <<-INI
		; written by scripts/pgbouncer.sh
		[databases]
		* = host=$pg_host port=$pg_port
		[pgbouncer]
		listen_addr = 127.0.0.1
		listen_port = $port
		unix_socket_dir =
		auth_type = trust
		auth_file = $dir/userlist.txt
		admin_users = postgres
		stats_users = postgres
		pool_mode = transaction
		default_pool_size = $pool
		min_pool_size = 0
		reserve_pool_size = 0
		max_client_conn = $maxclient
		; a database a test dropped must not keep idle server connections long
		server_idle_timeout = 30
		server_lifetime = 3600
		; pgx sends no extra startup parameters; psql and lib/pq may send this one
		ignore_startup_parameters = extra_float_digits
		; a client waiting longer than this for a server connection gets an error
		query_wait_timeout = 30
		pidfile = $pidfile
		logfile = $dir/pgbouncer.log
		log_connections = 0
		log_disconnections = 0
	INI
	echo '"postgres" ""' >"$dir/userlist.txt"
	((EUID == 0)) && chown postgres: "$dir"/*
	as_daemon_user pgbouncer -d -q "$dir/pgbouncer.ini"
	if ! wait_tcp 127.0.0.1 "$port" 10; then
		echo "pgbouncer did not listen on $port:" >&2
		tail -20 "$dir/pgbouncer.log" >&2 || true
		exit 1
	fi
	echo "pgbouncer: transaction pooling on 127.0.0.1:$port in front of $pg_host:$pg_port (pool $pool per database; log $dir/pgbouncer.log)" >&2
	dsn
}

stop() {
	# SIGINT is PgBouncer's safe shutdown: it waits for running transactions.
	stop_pid "$pidfile" 10 INT
	rm -rf "$dir"
}

status() {
	pid_alive "$pidfile" || { echo "pgbouncer: not running" >&2; exit 1; }
	psql -h 127.0.0.1 -p "$port" -U postgres pgbouncer -c "SHOW POOLS"
}

case "${1:-}" in
start) start ;;
stop) stop ;;
status) status ;;
*) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
