# Sourced by the scripts that run engines on loopback (livekit-cluster.sh,
# pg-replica.sh, pgbouncer.sh, haproxy.sh): where their configs, pid files
# and logs live, and who runs the PostgreSQL-side daemons.
#
#   KARYAKRAM_RUN   state directory (default /tmp/karyakram-run); each script
#                   keeps a subdirectory, removed by its `stop`
#
# PostgreSQL and PgBouncer refuse to run as root: as root they run as the
# `postgres` user (Debian's), otherwise as the calling user.

run_root="${KARYAKRAM_RUN:-/tmp/karyakram-run}"

# run_dir NAME creates and prints $run_root/NAME, owned by the daemon user.
run_dir() {
	local d="$run_root/$1"
	mkdir -p "$d"
	chmod 755 "$run_root" "$d"
	if ((EUID == 0)) && [[ "$1" == pg-* || "$1" == pgbouncer ]]; then
		chown postgres: "$d"
	fi
	echo "$d"
}

# as_daemon_user CMD... runs CMD as the user that owns the PostgreSQL-side
# daemons (postgres when we are root).
as_daemon_user() {
	if ((EUID == 0)); then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}

# pid_alive FILE: the pid in FILE names a running process.
pid_alive() {
	[[ -s "$1" ]] && kill -0 "$(head -1 "$1")" 2>/dev/null
}

# tcp_open HOST PORT: something accepts TCP connections there.
tcp_open() {
	(exec 3<>"/dev/tcp/$1/$2") 2>/dev/null
}

# wait_tcp HOST PORT SECONDS: until a TCP connect succeeds.
wait_tcp() {
	local i
	for ((i = 0; i < $3 * 10; i++)); do
		tcp_open "$1" "$2" && return 0
		sleep 0.1
	done
	return 1
}

# stop_pid FILE SECONDS [SIGNAL]: SIGNAL (default TERM), then KILL after
# SECONDS; waits until the process is gone.
stop_pid() {
	local pid i
	pid_alive "$1" || return 0
	pid=$(head -1 "$1")
	kill "-${3:-TERM}" "$pid" 2>/dev/null || true
	for ((i = 0; i < $2 * 10; i++)); do
		kill -0 "$pid" 2>/dev/null || return 0
		sleep 0.1
	done
	kill -KILL "$pid" 2>/dev/null || true
	for ((i = 0; i < 50; i++)); do
		kill -0 "$pid" 2>/dev/null || return 0
		sleep 0.1
	done
}
