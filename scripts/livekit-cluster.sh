#!/usr/bin/env bash
# N livekit-server nodes on loopback forming one cluster through the Redis
# at 127.0.0.1:6379: each node on its own loopback address (127.0.0.11,
# .12, ...: its node IP, so each is told apart in the cluster's node list),
# its own HTTP/RTC/metrics ports and the same API key pair from a key file.
# Rooms are placed on nodes by LiveKit's node selector; a client or the
# RoomService may use any node's URL. Idempotent: `start N` starts the
# missing nodes and stops nodes above N.
#
#   scripts/livekit-cluster.sh start 3  # prints KARYAKRAM_LIVEKIT_URL(S)/KEY/SECRET=... (shell-sourceable)
#   scripts/livekit-cluster.sh status   # node, URL, pid, up or down
#   scripts/livekit-cluster.sh kill 2   # SIGKILL node 2 (a crash, for failure tests)
#   scripts/livekit-cluster.sh stop
#
#   KARYAKRAM_LK_PORT_BASE     node i's HTTP port is BASE+10(i-1); RTC TCP +1, RTC UDP +2, Prometheus +3 (default 7880)
#   KARYAKRAM_LK_REDIS_DB      Redis database (default 1; tests use 0 through conferencing/lktest)
#   KARYAKRAM_LK_WEBHOOK_URLS  space-separated URLs every node POSTs webhooks to
#   KARYAKRAM_LIVEKIT_SERVER   the binary (default: what scripts/livekit-server.sh builds)
#
# Tests start their own cluster on free ports with lktest.StartCluster.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
source "$here/run-dir.sh"

base="${KARYAKRAM_LK_PORT_BASE:-7880}"
redis_db="${KARYAKRAM_LK_REDIS_DB:-1}"
dir="$run_root/livekit-cluster"
key=karyakram

node_ip() { echo "127.0.0.$((10 + $1))"; }
node_port() { echo $((base + 10 * ($1 - 1))); }
node_url() { echo "http://$(node_ip "$1"):$(node_port "$1")"; }
node_pid() { echo "$dir/node$1.pid"; }
redis() { redis-cli -h 127.0.0.1 -p 6379 -n "$redis_db" "$@"; }

running_nodes() {
	local f
	for f in "$dir"/node*.pid; do
		[[ -e "$f" ]] || continue
		pid_alive "$f" && basename "$f" .pid | sed 's/^node//'
	done
}

write_node_config() { # i
	local i=$1 port
	port=$(node_port "$i")
	{
		echo "# written by scripts/livekit-cluster.sh: node $i"
		echo "port: $port"
		echo "bind_addresses: [$(node_ip "$i")]"
		echo "prometheus_port: $((port + 3))"
		echo "key_file: $dir/keys.yaml"
		echo "rtc:"
		echo "  tcp_port: $((port + 1))"
		echo "  udp_port: $((port + 2))"
		echo "  node_ip: $(node_ip "$i")"
		echo "  use_external_ip: false"
		echo "  enable_loopback_candidate: true"
		echo "redis:"
		echo "  address: 127.0.0.1:6379"
		echo "  db: $redis_db"
		echo "logging:"
		echo "  level: info"
		if [[ -n "${KARYAKRAM_LK_WEBHOOK_URLS:-}" ]]; then
			echo "webhook:"
			echo "  api_key: $key"
			echo "  urls:"
			for u in $KARYAKRAM_LK_WEBHOOK_URLS; do echo "    - \"$u\""; done
		fi
	} >"$dir/node$i.yaml"
}

start_node() { # i
	local i=$1 url
	url=$(node_url "$i")
	if tcp_open "$(node_ip "$i")" "$(node_port "$i")"; then
		echo "livekit-cluster: $url is taken by another program (set KARYAKRAM_LK_PORT_BASE)" >&2
		exit 1
	fi
	write_node_config "$i"
	# setsid: the node outlives this script and is stopped by pid.
	setsid "$bin" --config "$dir/node$i.yaml" >>"$dir/node$i.log" 2>&1 </dev/null &
	echo $! >"$(node_pid "$i")"
}

wait_node() { # i: answers HTTP and is registered in the cluster's node list
	local i=$1 n
	for ((n = 0; n < 300; n++)); do
		pid_alive "$(node_pid "$i")" || { echo "livekit-cluster: node $i exited:" >&2; tail -20 "$dir/node$i.log" >&2; exit 1; }
		if curl -fsS -o /dev/null "$(node_url "$i")/" 2>/dev/null && redis --raw HVALS nodes 2>/dev/null | grep -aq "$(node_ip "$i")"; then
			return
		fi
		sleep 0.1
	done
	echo "livekit-cluster: node $i not ready after 30 s:" >&2
	tail -20 "$dir/node$i.log" >&2
	exit 1
}

print_env() { # n
	local urls="" i
	for ((i = 1; i <= $1; i++)); do urls+="${urls:+ }$(node_url "$i")"; done
	echo "KARYAKRAM_LIVEKIT_URL=$(node_url 1)"
	echo "KARYAKRAM_LIVEKIT_URLS=\"$urls\""
	echo "KARYAKRAM_LIVEKIT_KEY=$key"
	echo "KARYAKRAM_LIVEKIT_SECRET=$(cut -d' ' -f2 "$dir/keys.yaml")"
}

start() {
	local n=${1:-3} i
	[[ "$n" =~ ^[1-9][0-9]?$ ]] || { echo "usage: $0 start N (1-99 nodes)" >&2; exit 2; }
	bin="${KARYAKRAM_LIVEKIT_SERVER:-$("$here/livekit-server.sh")}"
	redis PING >/dev/null 2>&1 || { echo "livekit-cluster: Redis not reachable at 127.0.0.1:6379: run scripts/services.sh" >&2; exit 1; }
	mkdir -p "$run_root"
	if [[ -z "$(running_nodes)" ]]; then
		# A fresh cluster: forget rooms and nodes of an earlier one.
		rm -rf "$dir"
		redis FLUSHDB >/dev/null
	fi
	dir=$(run_dir livekit-cluster)
	if [[ ! -s "$dir/keys.yaml" ]]; then
		(umask 077 && echo "$key: $(head -c 32 /dev/urandom | base64 | tr -d '/+=' | head -c 40)" >"$dir/keys.yaml")
	fi
	for i in $(running_nodes); do
		((i > n)) && stop_node "$i"
	done
	for ((i = 1; i <= n; i++)); do
		pid_alive "$(node_pid "$i")" || start_node "$i"
	done
	for ((i = 1; i <= n; i++)); do wait_node "$i"; done
	for ((i = 1; i <= n; i++)); do
		echo "livekit-cluster: node $i $(node_url "$i") pid $(cat "$(node_pid "$i")") log $dir/node$i.log" >&2
	done
	print_env "$n"
}

stop_node() { # i: livekit-server drains on the first SIGTERM and forces on the second
	local f
	f=$(node_pid "$1")
	pid_alive "$f" || return 0
	kill -TERM "$(cat "$f")" 2>/dev/null || true
	sleep 0.3
	stop_pid "$f" 5 TERM
	rm -f "$f"
}

stop() {
	local i
	for i in $(running_nodes); do stop_node "$i"; done
	redis FLUSHDB >/dev/null 2>&1 || true
	rm -rf "$dir"
}

status() {
	local f i
	for f in "$dir"/node*.pid; do
		[[ -e "$f" ]] || { echo "livekit-cluster: not running" >&2; exit 1; }
		i=$(basename "$f" .pid | sed 's/^node//')
		echo "node $i $(node_url "$i") pid $(cat "$f") $(pid_alive "$f" && echo up || echo down)"
	done
}

crash() { # i
	local f
	f=$(node_pid "${1:?node number}")
	pid_alive "$f" || { echo "livekit-cluster: node $1 is not running" >&2; exit 1; }
	kill -KILL "$(cat "$f")"
	echo "livekit-cluster: node $1 killed" >&2
}

case "${1:-}" in
start) start "${2:-3}" ;;
stop) stop ;;
status) status ;;
kill) crash "${2:-}" ;;
*) echo "usage: $0 start N|status|kill I|stop" >&2; exit 2 ;;
esac
