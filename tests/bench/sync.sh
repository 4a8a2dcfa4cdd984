#!/bin/sh
# tests/bench/sync.sh [BIN] - `make bench`: the federation's figures (issue
# 16), on loopback, two instances (district -> province):
#   - catch-up: 10,000 envelopes queued while the province was down (the
#     outage), then the province back and one `ungcuu sync run`: the time
#     until all are applied there and acknowledged here (target < 10 s);
#   - the inbox's rate: 10,000 more carried by one bundle and imported
#     (`ungcuu sync import`: every signature checked, each envelope applied
#     with its cursor, a batch's run in one transaction), envelopes per
#     second (target >= 2,000/s);
#     and the rate over HTTP in the catch-up;
#   - the size of that bundle (pings), and of one carrying 10,000
#     indicators the province imported (the kind the issue names).
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
http_rate=$(echo "$applied / $secs" | bc -l)
status=0
[ "$applied" = "$COUNT" ] || { echo "  only $applied of $COUNT applied"; status=1; }

# the inbox alone: the same number again carried by a bundle (no HTTP)
queue
"$BIN" sync export --db "$W/district.db" --peer province --out "$W/b.bundle" > /dev/null || exit 2
size=$(stat -c %s "$W/b.bundle")
kill "$PID"
wait "$PID" 2>/dev/null
PID=
t2=$(now)
"$BIN" sync import --db "$W/province.db" "$W/b.bundle" > /dev/null || exit 2
t3=$(now)
isecs=$(echo "$t3 - $t2" | bc -l)
rate=$(echo "$COUNT / $isecs" | bc -l)
[ "$(status province district pings)" = $((2 * COUNT)) ] || { echo "  the bundle was not applied whole"; status=1; }

# the kind the issue names: COUNT indicators the province imports (a list,
# GREEN), which go down to the district as it imported them; the bundle
# that carries them, and their rate through the district's inbox
python3 -c "import sys; [print(f'domain:c2-{i:06d}.bench.example') for i in range(int(sys.argv[1]))]" \
	"$COUNT" > "$W/feed.txt"
"$BIN" import list "$W/feed.txt" --db "$W/province.db" --tlp GREEN > /dev/null 2>&1 || exit 2
"$BIN" sync export --db "$W/province.db" --peer district --out "$W/i.bundle" > /dev/null || exit 2
isize=$(stat -c %s "$W/i.bundle")
t4=$(now)
"$BIN" sync import --db "$W/district.db" "$W/i.bundle" > /dev/null || exit 2
t5=$(now)
irate=$(echo "$COUNT / ($t5 - $t4)" | bc -l)
got=$(sqlite3 "$W/district.db" "SELECT COUNT(*) FROM indicators WHERE source = 'province'")
[ "$got" = "$COUNT" ] || { echo "  only $got of $COUNT indicators arrived"; status=1; }

met() { [ "$(echo "$1" | bc -l)" = 1 ] || printf '  MISSED'; }
printf 'federation (loopback, %s envelopes, batches of 500, synchronous=FULL):\n' "$COUNT"
printf '  catch-up after an outage        %8.2f s   (target < 10 s; HTTP, inbox and acks)%s\n' \
	"$secs" "$(met "$secs < 10")"
printf '  applied through the inbox       %8.0f /s  (target >= 2,000/s; one bundle, signatures checked)%s\n' \
	"$rate" "$(met "$rate >= 2000")"
printf '  applied over HTTP in catch-up   %8.0f /s\n' "$http_rate"
printf '  bundle of %s pings           %8d bytes (%s bytes an envelope)\n' "$COUNT" "$size" \
	"$((size / COUNT))"
printf '  bundle of %s indicators      %8d bytes (%s bytes an indicator)\n' "$COUNT" "$isize" \
	"$((isize / COUNT))"
printf '  indicators applied below        %8.0f /s  (one bundle, signatures checked)\n' "$irate"
[ "$(echo "$secs < 10" | bc)" = 1 ] || status=1
[ "$(echo "$rate >= 2000" | bc)" = 1 ] || status=1
exit $status
