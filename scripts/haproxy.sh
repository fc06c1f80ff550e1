#!/usr/bin/env bash
# HAProxy on loopback in front of N karyakram instances: round robin, health
# checks on the instances' readiness endpoint, and draining: an instance
# whose check fails (or that refuses connections) gets no new requests, and
# a request that could not reach it goes to another (idempotent requests
# are retried there). Idempotent: `start` with another list of backends
# reloads HAProxy without dropping connections.
#
#   scripts/haproxy.sh start 127.0.0.1:8081 127.0.0.1:8082   # or just ports: 8081 8082
#   scripts/haproxy.sh state       # each backend's state (UP, DOWN, DRAIN, MAINT)
#   scripts/haproxy.sh drain 2     # stop sending new requests to backend 2 (ready 2 undoes it)
#   scripts/haproxy.sh stop
#
#   KARYAKRAM_LB_PORT      the balancer's port (default 8080); it prints KARYAKRAM_LB_URL=...
#   KARYAKRAM_LB_STATS     stats page and Prometheus /metrics port (default 8404)
#   KARYAKRAM_LB_CHECK     health check path (default /healthz; /readyz once instances serve it)
#   KARYAKRAM_LB_INTER     check interval (default 1s; an instance is out after 2 failures)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
source "$here/run-dir.sh"

port="${KARYAKRAM_LB_PORT:-8080}"
stats="${KARYAKRAM_LB_STATS:-8404}"
check="${KARYAKRAM_LB_CHECK:-/healthz}"
inter="${KARYAKRAM_LB_INTER:-1s}"
dir="$run_root/haproxy"
pidfile="$dir/haproxy.pid"
admin_port=$((stats + 1)) # admin socket on loopback TCP (bash speaks it, no socat needed)

admin() { # admin COMMAND: one command on HAProxy's runtime API
	exec 3<>"/dev/tcp/127.0.0.1/$admin_port"
	printf '%s\n' "$1" >&3
	cat <&3
	exec 3<&-
}

start() {
	command -v haproxy >/dev/null || { echo "haproxy not found: run scripts/apt-packages.sh (Debian package haproxy)" >&2; exit 1; }
	(($# > 0)) || { echo "usage: $0 start BACKEND... (host:port or port)" >&2; exit 2; }
	if ! pid_alive "$pidfile" && tcp_open 127.0.0.1 "$port"; then
		echo "haproxy: port $port is taken by another program (set KARYAKRAM_LB_PORT)" >&2
		exit 1
	fi
	dir=$(run_dir haproxy)
	local servers="" i=0 b
	# HAProxy needs two file descriptors per connection (client and server).
	local maxconn=$(($(ulimit -n) / 2 - 100))
	((maxconn > 20000)) && maxconn=20000
	for b in "$@"; do
		i=$((i + 1))
		[[ "$b" == *:* ]] || b="127.0.0.1:$b"
		servers+="	server app$i $b check"$'\n'
	done
	cat >"$dir/haproxy.cfg.new" <<-CFG
		# written by scripts/haproxy.sh
		global
		    maxconn $maxconn
		    stats socket ipv4@127.0.0.1:$admin_port level admin
		    stats timeout 10s

		defaults
		    mode http
		    option http-keep-alive
		    timeout connect 2s
		    timeout client 60s
		    timeout server 60s
		    timeout http-request 10s
		    timeout http-keep-alive 10s
		    timeout queue 5s
		    # A request that could not reach its instance (refused, reset,
		    # closed without an answer) goes to another one: redispatch on the
		    # last retry. Only idempotent methods are retried after they
		    # were sent; a POST is retried only if the connection failed.
		    retries 3
		    option redispatch 1
		    retry-on conn-failure empty-response response-timeout 503

		frontend app
		    bind 127.0.0.1:$port
		    option forwardfor
		    http-request set-header X-Forwarded-Proto http
		    http-request disable-l7-retry unless { method GET HEAD OPTIONS }
		    default_backend instances

		backend instances
		    balance roundrobin
		    option httpchk
		    http-check send meth GET uri $check
		    http-check expect status 200
		    # Out after 2 failed checks, back after 2 good ones; 20 connection
		    # errors from live traffic take an instance out before its check
		    # does, and its open connections are closed so clients move on.
		    default-server inter $inter fastinter 500ms downinter 1s fall 2 rise 2 observe layer4 error-limit 20 on-error mark-down on-marked-down shutdown-sessions
		$servers
		frontend stats
		    bind 127.0.0.1:$stats
		    http-request use-service prometheus-exporter if { path /metrics }
		    stats enable
		    stats uri /
		    stats refresh 2s
	CFG
	haproxy -c -q -f "$dir/haproxy.cfg.new"
	mv "$dir/haproxy.cfg.new" "$dir/haproxy.cfg"
	if pid_alive "$pidfile"; then
		# Seamless reload: the new process takes the listeners, the old one
		# finishes its connections.
		haproxy -D -p "$pidfile" -f "$dir/haproxy.cfg" -sf "$(cat "$pidfile")"
		echo "haproxy: reloaded with $# backends" >&2
	else
		haproxy -D -p "$pidfile" -f "$dir/haproxy.cfg"
		echo "haproxy: 127.0.0.1:$port -> $*, checks GET $check every $inter; stats http://127.0.0.1:$stats/ (Prometheus /metrics)" >&2
	fi
	wait_tcp 127.0.0.1 "$port" 10 || { echo "haproxy did not listen on $port" >&2; exit 1; }
	echo "KARYAKRAM_LB_URL=http://127.0.0.1:$port"
}

state() {
	pid_alive "$pidfile" || { echo "haproxy: not running" >&2; exit 1; }
	# show stat CSV: pxname,svname,...,status is field 18
	admin "show stat" | awk -F, '$1 == "instances" && $2 ~ /^app/ { print $2, $18, "check=" $37 }'
}

set_state() { # set_state N ready|drain|maint
	pid_alive "$pidfile" || { echo "haproxy: not running" >&2; exit 1; }
	admin "set server instances/app$1 state $2"
}

stop() {
	stop_pid "$pidfile" 10 USR1 # SIGUSR1: soft stop, lets open connections finish
	rm -rf "$dir"
}

cmd="${1:-}"
shift || true
case "$cmd" in
start) start "$@" ;;
state) state ;;
drain) set_state "${1:?backend number}" drain ;;
ready) set_state "${1:?backend number}" ready ;;
stop) stop ;;
*) echo "usage: $0 start BACKEND...|state|drain N|ready N|stop" >&2; exit 2 ;;
esac
