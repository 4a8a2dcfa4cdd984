#!/bin/sh
# tests/bench/sync.sh [BIN] - `make bench`: the federation's figures (issue
# 16), on loopback, two instances (district -> province):
#   - catch-up: 10,000 envelopes queued while the province was down (the
#     outage), then the province back and one `ungcuu sync run`: the time
#     until all are applied there and acknowledged here (target < 10 s);
#   - the inbox's rate in that catch-up: envelopes applied per second with
#     each signature checked, counted from the same run, HTTP included (a
#     lower bound of the inbox alone; target >= 2,000/s);
#   - the size of a bundle carrying 10,000 envelopes (pings until the kinds
#     are merged: then indicators).
# Exit status: 0 targets met, 1 a target missed, 2 could not run.
set -u
BIN=${1:-build-release/ungcuu}
COUNT=${BENCH_SYNC_COUNT:-10000}
W=$(mktemp -d /tmp/ungcuu-bench-sync.XXXXXX)
PORT=$(( 30000 + $$ % 20000 ))
PID=
trap '[ -n "$PID" ] && kill "$PID" 2>/dev/null; rm -rf "$W"' EXIT
trap 'exit 2' INT TERM

now() { date +%s.%N; }
for n in province district; do
	"$BIN" init --db "$W/$n.db" --json > /dev/null || exit 2
done
key() { "$BIN" peer show --db "$W/$1.db" --json |
	python3 -c 'import json,sys; print(json.load(sys.stdin)["public_key"])'; }
"$BIN" peer add --db "$W/district.db" --name province --key "$(key province)" --relation parent \
	--url "http://127.0.0.1:$PORT" > /dev/null || exit 2
"$BIN" peer add --db "$W/province.db" --name district --key "$(key district)" --relation child \
	> /dev/null || exit 2
# queue COUNT pings for the province, 1,000 a transaction
queue() {
	k=0
	while [ $k -lt "$COUNT" ]; do
		"$BIN" sync ping --db "$W/district.db" --peer province --count 1000 > /dev/null || exit 2
		k=$((k + 1000))
	done
}
# the status of PEER at INSTANCE: KEY's value
status() { "$BIN" sync status --db "$W/$1.db" --json | python3 -c '
import json, sys
print([p for p in json.load(sys.stdin)["peers"] if p["name"] == sys.argv[1]][0][sys.argv[2]])' "$2" "$3"; }

# the outage: the province is down while the district queues
queue
"$BIN" serve --db "$W/province.db" --listen "127.0.0.1:$PORT" --no-sync --web "$W/none" \
	> "$W/province.log" 2>&1 &
PID=$!
i=0
until curl -sf "http://127.0.0.1:$PORT/api/v1/health" > /dev/null 2>&1; do
	i=$((i + 1))
	[ $i -gt 200 ] && { echo "province did not start"; exit 2; }
	sleep 0.05
done
t0=$(now)
"$BIN" sync run --db "$W/district.db" --batch 500 --json > "$W/run.json" || { cat "$W/run.json"; exit 2; }
t1=$(now)
applied=$(status province district pings)
secs=$(echo "$t1 - $t0" | bc -l)
rate=$(echo "$applied / $secs" | bc -l)
status=0
printf 'federation (loopback, %s envelopes, batches of 500):\n' "$COUNT"
printf '  catch-up after an outage   %8.2f s     (target < 10 s)%s\n' "$secs" \
	"$( [ "$(echo "$secs < 10" | bc)" = 1 ] || { echo '  MISSED'; } )"
printf '  applied through the inbox  %8.0f /s    (target >= 2,000/s, signatures checked, HTTP included)%s\n' \
	"$rate" "$( [ "$(echo "$rate >= 2000" | bc)" = 1 ] || echo '  MISSED')"
[ "$applied" = "$COUNT" ] || { echo "  only $applied of $COUNT applied"; status=1; }
[ "$(echo "$secs < 10" | bc)" = 1 ] || status=1
[ "$(echo "$rate >= 2000" | bc)" = 1 ] || status=1

if "$BIN" sync export --help > /dev/null 2>&1; then
	queue &&
	"$BIN" sync export --db "$W/district.db" --peer province --out "$W/b.bundle" > /dev/null &&
	printf '  bundle of %s envelopes     %8d bytes\n' "$COUNT" "$(stat -c %s "$W/b.bundle")"
else
	echo "  bundle size: ungcuu sync export is h/sync-core's (not in this build)"
fi
exit $status
