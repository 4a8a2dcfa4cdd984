#!/bin/sh
# pg-cluster.sh - a throwaway PostgreSQL 15 cluster for the tests, on
# loopback only, in a temporary directory.
#   tools/pg-cluster.sh start DIR   initdb + pg_ctl start on a free port;
#                                   prints the base URL (postgres://...:PORT/)
#   tools/pg-cluster.sh stop DIR    pg_ctl stop and remove DIR
# PostgreSQL refuses to run as root: as root the cluster runs as the
# "postgres" user (Debian's package creates it), otherwise as the caller.
set -eu

PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
cmd=${1:-}
dir=${2:-}
if [ -z "$cmd" ] || [ -z "$dir" ]; then
	echo "usage: tools/pg-cluster.sh start|stop DIR" >&2
	exit 2
fi

as_owner() {
	if [ "$(id -u)" = 0 ]; then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}

case "$cmd" in
start)
	if [ ! -x "$PGBIN/initdb" ]; then
		echo "pg-cluster: $PGBIN/initdb missing (apt-get install postgresql-15)" >&2
		exit 1
	fi
	mkdir -p "$dir"
	# the server user must reach DIR (a mktemp -d parent is 0700)
	if [ "$(id -u)" = 0 ]; then chown postgres "$dir"; chmod o+x "$(dirname "$dir")"; fi
	port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	as_owner "$PGBIN/initdb" -D "$dir/data" -U ungcuu --auth=trust -E UTF8 --locale=C.UTF-8 \
		>"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; exit 1; }
	# Loopback TCP only, the socket in DIR; fsync off: the data dies with
	# the test run anyway.
	as_owner "$PGBIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 30 \
		-o "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$dir -c fsync=off -c max_connections=400" \
		start >/dev/null || { cat "$dir/server.log" >&2; exit 1; }
	echo "$port" >"$dir/port"
	echo "postgres://ungcuu@127.0.0.1:$port/"
	;;
stop)
	if [ -d "$dir/data" ]; then
		as_owner "$PGBIN/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
	fi
	rm -rf "$dir"
	;;
*)
	echo "usage: tools/pg-cluster.sh start|stop DIR" >&2
	exit 2
	;;
esac
