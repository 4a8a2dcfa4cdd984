#!/usr/bin/env bash
# tests/bench/audit.sh - what the audit log that proves the state costs.
#
# usage: tests/bench/audit.sh NEW_BIN [OLD_BIN]
#   - incident creations/s (POST /api/v1/incidents through wrk, only 201s
#     counted) for NEW_BIN and, when given, OLD_BIN (a build without the
#     state audit), interleaved new, old, old, new; the best of each side;
#   - `admin audit-verify` time and rows on the database that grew, and on
#     one grown to BENCH_AUDIT_N incidents (default 100000) by the same
#     POSTs (set BENCH_AUDIT_N=0 to skip).
# BENCH_TMPDIR (default /tmp) is where the databases go: on tmpfs (/dev/shm)
# fsync is free and the figures are the CPU cost of the audit alone; on a
# disk synchronous=FULL dominates every write.
# Loopback only; every process it starts, it stops.
set -euo pipefail
NEW=$(realpath "$1")
OLD=${2:+$(realpath "$2")}
N=${BENCH_AUDIT_N:-100000}
DUR=${BENCH_DURATION:-5}
cd "$(dirname "$0")/../.."
TMP=$(mktemp -d "${BENCH_TMPDIR:-/tmp}/ungcuu-audit-bench.XXXXXX")
PIDS=()
cleanup() {
	for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
	rm -rf "$TMP"
}
trap cleanup EXIT
DETECTED=$(date -u -d '-1 hour' +%Y-%m-%dT%H:%M:%SZ)

port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# start BIN DIR -> sets URL, TOKEN, PID
start() {
	local bin=$1 dir=$2
	mkdir -p "$dir"
	[ -f "$dir/u.db" ] || "$bin" demo --db "$dir/u.db" --json >/dev/null
	TOKEN=$("$bin" admin token create --db "$dir/u.db" --username tamthanh)
	local p; p=$(port)
	URL=http://127.0.0.1:$p
	"$bin" serve --db "$dir/u.db" --listen "127.0.0.1:$p" 2>"$dir/log" &
	PID=$!
	PIDS+=("$PID")
	for _ in $(seq 200); do curl -sf "$URL/api/v1/health" >/dev/null && return; sleep 0.05; done
	echo "server did not start" >&2; exit 2
}
stop() { kill -TERM "$PID"; wait "$PID" 2>/dev/null || true; }

creates() { # BIN DIR -> creations/s
	start "$1" "$2"
	wrk -t2 -c8 -d"${3:-$DUR}"s -H "Authorization: Bearer $TOKEN" -s tests/bench/create.lua "$URL/api/v1/incidents" \
		-- "$DETECTED" >"$2/wrk" 2>&1 || true
	stop
	sed -n 's/^BENCH created=\([0-9]*\) other=[0-9]* duration_us=\([0-9]*\).*/\1 \2/p' "$2/wrk" | awk '{ printf "%.0f", $1 * 1e6 / $2 }'
}

best() { printf '%s\n' "$@" | sort -g | tail -1; }
if [ -n "$OLD" ]; then
	a=$(creates "$NEW" "$TMP/new"); b=$(creates "$OLD" "$TMP/old")
	c=$(creates "$OLD" "$TMP/old"); d=$(creates "$NEW" "$TMP/new")
	bn=$(best "$a" "$d"); bo=$(best "$b" "$c")
	printf 'creations/s  new %s %s  old %s %s  best new/old %s\n' "$a" "$d" "$b" "$c" \
		"$(awk -v n="$bn" -v o="$bo" 'BEGIN { printf "%.2f", n / o }')"
else
	printf 'creations/s  new %s\n' "$(creates "$NEW" "$TMP/new")"
fi

vtime() { # DB -> seconds (wall, and CPU of the process), entries, rows
	local t0 t1 out cpu
	t0=$(date +%s.%N)
	out=$(TIMEFORMAT=%U; { time "$NEW" admin audit-verify --db "$1" --json >"$TMP/verify.json"; } 2>"$TMP/verify.cpu"; cat "$TMP/verify.json")
	t1=$(date +%s.%N)
	cpu=$(tail -1 "$TMP/verify.cpu")
	printf 'audit-verify %s incidents: %.2f s (%s s CPU), entries %s, rows %s, intact %s\n' \
		"$(sqlite3 "$1" 'SELECT count(*) FROM incidents')" "$(echo "$t1 - $t0" | bc)" "$cpu" \
		"$(echo "$out" | sed -n 's/.*"entries": \([0-9]*\).*/\1/p')" \
		"$(echo "$out" | sed -n 's/.*"rows": \([0-9]*\).*/\1/p')" \
		"$(echo "$out" | sed -n 's/.*"intact": \([a-z]*\).*/\1/p')"
}
vtime "$TMP/new/u.db"
if [ "$N" -gt 0 ]; then
	start "$NEW" "$TMP/new"
	have=$(sqlite3 "$TMP/new/u.db" 'SELECT count(*) FROM incidents')
	while [ "$have" -lt "$N" ]; do
		wrk -t2 -c8 -d30s -H "Authorization: Bearer $TOKEN" -s tests/bench/create.lua \
			"$URL/api/v1/incidents" -- "$DETECTED" >/dev/null 2>&1 || true
		have=$(sqlite3 -cmd '.timeout 5000' "$TMP/new/u.db" 'SELECT count(*) FROM incidents')
	done
	stop
	vtime "$TMP/new/u.db"
	ls -la "$TMP/new/u.db" | awk '{ printf "database %.1f MB, ", $5 / 1048576 }'
	sqlite3 "$TMP/new/u.db" "SELECT printf('audit rows column %.1f MB', sum(length(rows)) / 1048576.0) FROM audit_log"
fi
