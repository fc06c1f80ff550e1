#!/usr/bin/env bash
# A streaming replica of the local PostgreSQL (127.0.0.1:5432) on another
# port, made with pg_basebackup into a directory of this project's
# (under $KARYAKRAM_RUN, default /tmp/karyakram-run/pg-replica), replicating
# through a physical replication slot, hot_standby on (read-only queries).
# Idempotent.
#
#   scripts/pg-replica.sh start   # prints KARYAKRAM_REPLICA_DSN=... (shell-sourceable)
#   scripts/pg-replica.sh lag     # replay lag in bytes and seconds (key=value)
#   scripts/pg-replica.sh stop    # stops it, drops the slot and the copy
#
#   KARYAKRAM_REPLICA_PORT   the replica's port (default 5433)
#   KARYAKRAM_PG_HOST/PORT   the primary (default 127.0.0.1 / 5432)
#
# The primary must accept replication connections from 127.0.0.1: when it
# does not, start adds `host replication all 127.0.0.1/32 trust` to its
# pg_hba.conf and reloads it (loopback only, like the trust line the tests
# already use). `stop` drops the slot: a slot without its replica would
# keep every WAL segment on the primary until the disk fills. A fresh start
# therefore copies the whole cluster again (every database on the primary).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
source "$here/run-dir.sh"

port="${KARYAKRAM_REPLICA_PORT:-5433}"
pg_host="${KARYAKRAM_PG_HOST:-127.0.0.1}"
pg_port="${KARYAKRAM_PG_PORT:-5432}"
slot=karyakram_replica
dir="$run_root/pg-replica"
data="$dir/data"
primary=(-h "$pg_host" -p "$pg_port" -U postgres)

psql_primary() { psql "${primary[@]}" -d postgres -XAtq "$@"; }
psql_replica() { psql -h 127.0.0.1 -p "$port" -U postgres -d postgres -XAtq "$@"; }

bindir() {
	local major
	major=$(psql_primary -c "SHOW server_version_num")
	major=$((major / 10000))
	for d in "/usr/lib/postgresql/$major/bin" "$(pg_config --bindir 2>/dev/null || true)"; do
		[[ -x "$d/pg_ctl" ]] && { echo "$d"; return; }
	done
	echo "pg-replica: pg_ctl of PostgreSQL $major not found" >&2
	exit 1
}

dsn() { echo "KARYAKRAM_REPLICA_DSN=postgres://postgres@127.0.0.1:$port/test?sslmode=disable"; }

running() { [[ -f "$data/postmaster.pid" ]] && pid_alive "$data/postmaster.pid"; }

allow_replication() {
	if psql "host=$pg_host port=$pg_port user=postgres replication=true" -XAtqc "IDENTIFY_SYSTEM" >/dev/null 2>&1; then
		return
	fi
	local hba
	hba=$(psql_primary -c "SHOW hba_file")
	if [[ ! -w "$hba" ]]; then
		echo "pg-replica: the primary refuses replication connections; add to $hba:" >&2
		echo "  host replication all 127.0.0.1/32 trust" >&2
		echo "then SELECT pg_reload_conf()" >&2
		exit 1
	fi
	echo "pg-replica: allowing replication from 127.0.0.1 in $hba" >&2
	printf '%s\n' "# scripts/pg-replica.sh (karyakram): streaming replica on loopback" "host replication all 127.0.0.1/32 trust" >>"$hba"
	psql_primary -c "SELECT pg_reload_conf()" >/dev/null
	sleep 0.5
}

start() {
	if running; then
		dsn
		return
	fi
	if tcp_open 127.0.0.1 "$port"; then
		echo "pg-replica: port $port is taken by another program (set KARYAKRAM_REPLICA_PORT)" >&2
		exit 1
	fi
	local bin t0
	bin=$(bindir)
	allow_replication
	dir=$(run_dir pg-replica)
	rm -rf "$data"
	psql_primary -c "SELECT pg_drop_replication_slot('$slot') FROM pg_replication_slots WHERE slot_name = '$slot' AND NOT active" >/dev/null
	echo "pg-replica: copying the primary ($(psql_primary -c "SELECT pg_size_pretty(sum(pg_database_size(datname))) FROM pg_database")) with pg_basebackup..." >&2
	t0=$(date +%s)
	# -C -S: create the slot as part of the backup, so no WAL is lost between
	# the copy and the replica's first connection; -R: write standby.signal
	# and primary_conninfo/primary_slot_name.
	as_daemon_user pg_basebackup -h "$pg_host" -p "$pg_port" -U postgres -D "$data" \
		-X stream -C -S "$slot" -R --checkpoint=fast --no-sync
	echo "pg-replica: copied in $(($(date +%s) - t0)) s" >&2
	# A hot standby needs these at least as large as on the primary.
	local settings=""
	for s in max_connections max_worker_processes max_wal_senders max_prepared_transactions max_locks_per_transaction; do
		settings+="$s = $(psql_primary -c "SHOW $s")"$'\n'
	done
	# Debian keeps postgresql.conf and pg_hba.conf in /etc, not in the data
	# directory: the copy gets its own.
	cat >"$data/postgresql.conf" <<-CONF
		# written by scripts/pg-replica.sh: a hot standby of $pg_host:$pg_port
		port = $port
		listen_addresses = '127.0.0.1'
		unix_socket_directories = ''
		hot_standby = on
		hot_standby_feedback = on
		wal_receiver_status_interval = 1s
		max_standby_streaming_delay = 30s
		shared_buffers = 128MB
		logging_collector = off
		$settings
	CONF
	cat >"$data/pg_hba.conf" <<-HBA
		host all all 127.0.0.1/32 trust
		host replication all 127.0.0.1/32 trust
	HBA
	((EUID == 0)) && chown postgres: "$data/postgresql.conf" "$data/pg_hba.conf"
	as_daemon_user "$bin/pg_ctl" -D "$data" -l "$dir/replica.log" -w -t 120 start >/dev/null
	if [[ "$(psql_replica -c "SELECT pg_is_in_recovery()")" != t ]]; then
		echo "pg-replica: the server on $port is not in recovery" >&2
		exit 1
	fi
	echo "pg-replica: hot standby on 127.0.0.1:$port, slot $slot (log $dir/replica.log)" >&2
	dsn
}

lag() {
	running || { echo "pg-replica: not running" >&2; exit 1; }
	# Bytes the replica has yet to replay, as the primary sees it, and the
	# age of the last replayed transaction, as the replica sees it (0 when
	# it has replayed everything the primary sent).
	psql_primary -F ' ' -c "SELECT 'state=' || r.state, 'replay_lag_bytes=' || pg_wal_lsn_diff(pg_current_wal_lsn(), r.replay_lsn),
		'replay_lag_seconds=' || COALESCE(extract(epoch FROM r.replay_lag), 0)
		FROM pg_replication_slots s JOIN pg_stat_replication r ON r.pid = s.active_pid WHERE s.slot_name = '$slot'"
	psql_replica -c "SELECT 'replica_last_replay_age_seconds=' || CASE WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0 ELSE COALESCE(extract(epoch FROM now() - pg_last_xact_replay_timestamp()), 0) END"
}

stop() {
	if running; then
		as_daemon_user "$(bindir)/pg_ctl" -D "$data" -m fast -w stop >/dev/null
	fi
	psql_primary -c "SELECT pg_drop_replication_slot('$slot') FROM pg_replication_slots WHERE slot_name = '$slot'" >/dev/null 2>&1 || true
	rm -rf "$dir"
}

case "${1:-}" in
start) start ;;
lag) lag ;;
stop) stop ;;
*) echo "usage: $0 start|lag|stop" >&2; exit 2 ;;
esac
