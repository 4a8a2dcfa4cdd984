#!/usr/bin/env bash
# tests/bench/run.sh - `make bench`: ungcuu against its ceiling, side by side.
#
# Prints, in one run on this machine (loopback only):
#   - authenticated GET /api/v1/incidents/{id}: requests/s and p99 at 64
#     connections (wrk -t2 -c64), for ungcuu and for a bare libmicrohttpd
#     server answering a fixed ~300-byte JSON body (tests/bench/bare.c, the
#     ceiling), and their ratio;
#   - incident creations/s (POST /api/v1/incidents, only 201s counted);
#   - the server's resident memory idle and under load (VmRSS, VmHWM);
#   - the web UI's gzipped JS+CSS (node web/size.mjs), when web/dist exists.
# Targets (issue): reads >= 50 % of the ceiling, idle memory <= 20 MB.
#
# Exit status: 0 all targets met, 1 a target missed, 2 the bench could not run.
# The GET runs are interleaved (ungcuu, bare, bare, ungcuu) and the best run
# of each side is compared; all runs are listed under the table.
# Environment: BENCH_DURATION (s per GET run, default 10), BENCH_ROUNDS (GET
# runs per side, default 2), BENCH_CONNECTIONS (default 64), BENCH_THREADS
# (server threads, default 2), BENCH_TMPDIR (where the temporary database
# goes, default $TMPDIR or /tmp), BENCH_KEEP=1 (keep the temporary directory
# with the wrk outputs and the server log, and print its path).
set -euo pipefail

cd "$(dirname "$0")/../.."
BUILD=build-release
DUR=${BENCH_DURATION:-10}
CONN=${BENCH_CONNECTIONS:-64}
SRV_THREADS=${BENCH_THREADS:-2}
ROUNDS=${BENCH_ROUNDS:-2}
CREATE_DUR=5
WARM=2

die() { echo "bench: $*" >&2; exit 2; }
for tool in wrk curl cc pkg-config meson ninja; do
	command -v "$tool" >/dev/null || die "$tool not found"
done

TMP=$(mktemp -d "${BENCH_TMPDIR:-${TMPDIR:-/tmp}}/ungcuu-bench.XXXXXX")
PIDS=()
# shellcheck disable=SC2317 # (run by the EXIT trap)
cleanup() {
	local p
	for p in "${PIDS[@]}"; do
		kill -TERM "$p" 2>/dev/null || true
	done
	for p in "${PIDS[@]}"; do
		for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$p" 2>/dev/null || true
		wait "$p" 2>/dev/null || true
	done
	if [ "${BENCH_KEEP:-0}" = 1 ]; then
		echo "bench: kept $TMP" >&2
	else
		rm -rf "$TMP"
	fi
}
trap cleanup EXIT
trap 'exit 2' INT TERM HUP

# ---------------------------------------------------------------- build ---
echo "bench: building $BUILD ..." >&2
if [ ! -f "$BUILD/build.ninja" ]; then
	meson setup "$BUILD" --buildtype=release >"$TMP/meson.log" 2>&1 ||
		{ cat "$TMP/meson.log" >&2; die "meson setup failed"; }
fi
ninja -C "$BUILD" ungcuu >"$TMP/ninja.log" 2>&1 || { tail -30 "$TMP/ninja.log" >&2; die "ninja failed"; }
BIN=$BUILD/ungcuu
BARE=$BUILD/bench-bare
# shellcheck disable=SC2046
cc -std=c17 -O2 -Wall -Wextra -Werror -o "$BARE" tests/bench/bare.c \
	$(pkg-config --cflags --libs libmicrohttpd) || die "cannot build tests/bench/bare.c"

# -------------------------------------------------------------- helpers ---
# shellcheck source=tests/bench/lib.sh
. tests/bench/lib.sh

# cpu_busy: percent of all CPUs busy over one second (before the run: other
# work on the machine, which makes every figure here noisy).
cpu_busy() {
	local a b
	a=$(head -1 /proc/stat)
	sleep 1
	b=$(head -1 /proc/stat)
	awk -v a="$a" -v b="$b" 'BEGIN {
		n = split(a, x, " "); split(b, y, " ")
		for (i = 2; i <= n; i++) { d = y[i] - x[i]; t += d; if (i == 5 || i == 6) idle += d }
		v = 0; if (t > 0) v = 100 * (t - idle) / t
		printf "%.0f\n", v
	}'
}

# status_kb PID FIELD: VmRSS / VmHWM in kB.
status_kb() { awk -v f="$2:" '$1 == f { print $2 }' "/proc/$1/status"; }

# wrk's text output -> requests/s, p99 in ms, non-2xx count, socket errors.
wrk_non2xx() { awk -F': ' '/Non-2xx or 3xx responses/ { n = $2 } END { print n + 0 }' "$1"; }
wrk_sockerr() {
	awk '/Socket errors:/ { gsub(/,/, ""); print $4 + $6 + $8 + $10; found = 1 }
	     END { if (!found) print 0 }' "$1"
}

# ------------------------------------------------------------- the data ---
DB=$TMP/b.db
"$BIN" demo --db "$DB" --json >"$TMP/demo.json" || die "ungcuu demo failed"
TOKEN=$("$BIN" admin token create --db "$DB" --username dieuphoi) || die "token create failed"
[ -n "$TOKEN" ] || die "empty token"
AUTH="Authorization: Bearer $TOKEN"

# ------------------------------------------------------------- servers ---
PORT=$(free_port)
# The default --web web/dist: the built UI is read into memory at start, as in
# production, so it counts in the RSS figures (when it exists).
"$BIN" serve --db "$DB" --listen "127.0.0.1:$PORT" --threads "$SRV_THREADS" \
	>"$TMP/serve.log" 2>&1 &
SRV=$!
PIDS+=("$SRV")
BASE=http://127.0.0.1:$PORT
wait_up "$SRV" "$BASE/api/v1/health" || { cat "$TMP/serve.log" >&2; die "ungcuu serve did not start"; }

# The first incident of the list (jq when present; else the first "id" of
# {"items":[{"id":...: the answer below must then be a 200 anyway).
curl -sf -H "$AUTH" "$BASE/api/v1/incidents" >"$TMP/list.json" || die "GET /api/v1/incidents failed"
if command -v jq >/dev/null; then
	ID=$(jq -r '.items[0].id // empty' "$TMP/list.json")
else
	ID=$(grep -o '"id":"[0-9a-f-]\{36\}"' "$TMP/list.json" | head -1 | cut -d'"' -f4)
fi
[ -n "$ID" ] || die "no incident in the demo database"
URL=$BASE/api/v1/incidents/$ID
CODE=$(curl -s -o "$TMP/one.json" -w '%{http_code}' -H "$AUTH" "$URL")
[ "$CODE" = 200 ] || die "GET $URL answered $CODE"
GET_BYTES=$(wc -c <"$TMP/one.json")

BPORT=$(free_port)
[ "$BPORT" != "$PORT" ] || BPORT=$(free_port)
"$BARE" "$BPORT" "$SRV_THREADS" 16384 >"$TMP/bare.log" 2>&1 &
BSRV=$!
PIDS+=("$BSRV")
BURL=http://127.0.0.1:$BPORT/api/v1/incidents/$ID
wait_up "$BSRV" "$BURL" || { cat "$TMP/bare.log" >&2; die "bare server did not start"; }
BARE_BYTES=$(curl -s "$BURL" | wc -c)

# Idle memory: after a few requests, so lazily opened connections and
# per-thread state exist.
for _ in $(seq 20); do
	curl -s -o /dev/null -H "$AUTH" "$URL"
	curl -s -o /dev/null -H "$AUTH" "$BURL"
done
sleep 0.5
SRV_IDLE=$(status_kb "$SRV" VmRSS)
BARE_IDLE=$(status_kb "$BSRV" VmRSS)

# ------------------------------------------------------------------ GET ---
# Interleaved rounds (ungcuu, bare, then bare, ungcuu, ...) and the best run
# of each: this machine is shared, and a neighbour's burst should not decide
# the ratio. Every run is printed below the table.
BUSY_BEFORE=$(cpu_busy)
run_get() { # run_get NAME URL ROUND
	echo "bench: GET $1 (round $3/$ROUNDS), wrk -t2 -c$CONN -d${DUR}s ..." >&2
	wrk -t2 -c"$CONN" -d"${DUR}s" --latency -H "$AUTH" "$2" >"$TMP/wrk-$1-$3.txt"
	[ -n "$(wrk_rps "$TMP/wrk-$1-$3.txt")" ] ||
		{ cat "$TMP/wrk-$1-$3.txt" >&2; die "cannot read wrk output"; }
}
echo "bench: warming up ..." >&2
wrk -t2 -c"$CONN" -d"${WARM}s" -H "$AUTH" "$URL" >/dev/null
wrk -t2 -c"$CONN" -d"${WARM}s" -H "$AUTH" "$BURL" >/dev/null
for round in $(seq "$ROUNDS"); do
	if [ $((round % 2)) = 1 ]; then
		run_get ungcuu "$URL" "$round"
		run_get bare "$BURL" "$round"
	else
		run_get bare "$BURL" "$round"
		run_get ungcuu "$URL" "$round"
	fi
done
SRV_PEAK_READ=$(status_kb "$SRV" VmHWM)
SRV_AFTER_READ=$(status_kb "$SRV" VmRSS)
BARE_PEAK=$(status_kb "$BSRV" VmHWM)

# best NAME: "round rps p99" of the run with the most requests/s.
best() {
	local f r best_r="" best_v=-1 v
	for r in $(seq "$ROUNDS"); do
		f=$TMP/wrk-$1-$r.txt
		v=$(wrk_rps "$f")
		if awk -v a="$v" -v b="$best_v" 'BEGIN { exit !(a > b) }'; then
			best_v=$v
			best_r=$r
		fi
	done
	echo "$best_r $best_v $(wrk_p99_ms "$TMP/wrk-$1-$best_r.txt")"
}
read -r _ U_RPS U_P99 <<<"$(best ungcuu)"
read -r _ B_RPS B_P99 <<<"$(best bare)"
U_BAD=0 U_SOCK=0 B_SOCK=0
for r in $(seq "$ROUNDS"); do
	U_BAD=$((U_BAD + $(wrk_non2xx "$TMP/wrk-ungcuu-$r.txt")))
	U_SOCK=$((U_SOCK + $(wrk_sockerr "$TMP/wrk-ungcuu-$r.txt")))
	B_SOCK=$((B_SOCK + $(wrk_sockerr "$TMP/wrk-bare-$r.txt")))
done
kill -TERM "$BSRV" 2>/dev/null || true
wait "$BSRV" 2>/dev/null || true

# A second server with its read cache off, when it has one: the cost of a
# GET that misses (the bench above reads one incident with one token, the
# cache's best case). Information only, one run, no target.
NC_RPS="" NC_P99="" NC_BAD=0
if "$BIN" serve --help 2>&1 | grep -q -- '--no-cache'; then
	NPORT=$(free_port)
	"$BIN" serve --db "$DB" --listen "127.0.0.1:$NPORT" --threads "$SRV_THREADS" --no-cache \
		>"$TMP/serve-nocache.log" 2>&1 &
	NSRV=$!
	PIDS+=("$NSRV")
	NURL=http://127.0.0.1:$NPORT/api/v1/incidents/$ID
	wait_up "$NSRV" "$NURL" || { cat "$TMP/serve-nocache.log" >&2; die "ungcuu serve --no-cache did not start"; }
	echo "bench: GET ungcuu --no-cache, wrk -t2 -c$CONN -d${DUR}s ..." >&2
	wrk -t2 -c"$CONN" -d"${DUR}s" --latency -H "$AUTH" "$NURL" >"$TMP/wrk-nocache.txt"
	NC_RPS=$(wrk_rps "$TMP/wrk-nocache.txt")
	NC_P99=$(wrk_p99_ms "$TMP/wrk-nocache.txt")
	NC_BAD=$(wrk_non2xx "$TMP/wrk-nocache.txt")
	kill -TERM "$NSRV" 2>/dev/null || true
	wait "$NSRV" 2>/dev/null || true
fi

# --------------------------------------------------------------- create ---
DETECTED=$(date -u -d '-1 hour' +%Y-%m-%dT%H:%M:%SZ)
echo "bench: POST /api/v1/incidents, wrk -t2 -c$CONN -d${CREATE_DUR}s ..." >&2
wrk -t2 -c"$CONN" -d"${CREATE_DUR}s" --latency -H "$AUTH" -s tests/bench/create.lua \
	"$BASE/api/v1/incidents" -- "$DETECTED" >"$TMP/wrk-create.txt"
C_LINE=$(grep '^BENCH created=' "$TMP/wrk-create.txt") ||
	{ cat "$TMP/wrk-create.txt" >&2; die "cannot read the create script's output"; }
C_OK=$(sed -E 's/.*created=([0-9]+).*/\1/' <<<"$C_LINE")
C_BAD=$(sed -E 's/.*other=([0-9]+).*/\1/' <<<"$C_LINE")
C_US=$(sed -E 's/.*duration_us=([0-9]+).*/\1/' <<<"$C_LINE")
C_FIRST_BAD=$(sed -n 's/^BENCH first_non_201=//p' "$TMP/wrk-create.txt")
C_SOCK=$(wrk_sockerr "$TMP/wrk-create.txt")
C_RATE=$(awk -v n="$C_OK" -v us="$C_US" 'BEGIN { r = 0; if (us > 0) r = n * 1e6 / us; printf "%.1f", r }')
C_P99_MS=$(wrk_p99_ms "$TMP/wrk-create.txt")
SRV_PEAK_ALL=$(status_kb "$SRV" VmHWM)
SRV_AFTER_ALL=$(status_kb "$SRV" VmRSS)
kill -TERM "$SRV" 2>/dev/null || true
wait "$SRV" 2>/dev/null || true

# ------------------------------------------------------------------ web ---
WEB_KB=""
WEB_BUDGET=""
if [ -f web/size.mjs ] && [ -d web/dist ] && command -v node >/dev/null; then
	if node web/size.mjs >"$TMP/size.txt" 2>&1 || [ -s "$TMP/size.txt" ]; then
		WEB_KB=$(sed -nE 's/.* ([0-9.]+) KB gzipped JS\+CSS.*/\1/p' "$TMP/size.txt")
		WEB_BUDGET=$(sed -nE 's/.*\(budget ([0-9.]+) KB\).*/\1/p' "$TMP/size.txt")
	fi
fi

# ---------------------------------------------------------------- table ---
mb() { awk -v k="$1" 'BEGIN { printf "%.1f MB", k / 1024 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }'; }
pct() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.1f %%", 100 * a / b; else print "-" }'; }
fmt_rps() { awk -v v="$1" 'BEGIN { printf "%.0f/s", v }'; }

FMT='%-44s %16s %16s %9s %12s\n'
echo
echo "ungcuu bench $(date -u +%Y-%m-%dT%H:%M:%SZ) on $(nproc) cores, $(uname -r); git $(git rev-parse --short HEAD 2>/dev/null || echo '?')$(git diff --quiet HEAD -- src 2>/dev/null || echo '+dirty src')"
echo "GET: wrk -t2 -c$CONN -d${DUR}s, best of $ROUNDS interleaved runs per side; server --threads $SRV_THREADS"
echo "reference = bare libmicrohttpd, fixed JSON body (tests/bench/bare.c); CPU busy before the run: $BUSY_BEFORE %"
echo
# shellcheck disable=SC2059
{
printf "$FMT" "metric" "ungcuu" "reference" "ratio" "target"
printf "$FMT" "--------------------------------------------" "----------------" "----------------" "---------" "------------"
printf "$FMT" "GET /api/v1/incidents/{id} requests/s" "$(fmt_rps "$U_RPS")" "$(fmt_rps "$B_RPS")" "$(pct "$U_RPS" "$B_RPS")" ">= 50 %"
printf "$FMT" "GET p99 latency" "$U_P99 ms" "$B_P99 ms" "$(ratio "$U_P99" "$B_P99")" "-"
printf "$FMT" "GET body size" "$GET_BYTES B" "$BARE_BYTES B" "$(ratio "$GET_BYTES" "$BARE_BYTES")" "-"
printf "$FMT" "GET non-2xx / socket errors" "$U_BAD / $U_SOCK" "0 / $B_SOCK" "" "0 / 0"
if [ -n "$NC_RPS" ]; then
	printf "$FMT" "GET requests/s, read cache off (info)" "$(fmt_rps "$NC_RPS")" "$(fmt_rps "$B_RPS")" "$(pct "$NC_RPS" "$B_RPS")" "-"
	printf "$FMT" "GET p99, read cache off (info)" "$NC_P99 ms" "$B_P99 ms" "$(ratio "$NC_P99" "$B_P99")" "-"
fi
printf "$FMT" "incident creations/s (201s, ${CREATE_DUR}s)" "$(fmt_rps "$C_RATE")" "-" "" "-"
printf "$FMT" "creation p99 latency" "$C_P99_MS ms" "-" "" "-"
printf "$FMT" "creation non-201 / socket errors" "$C_BAD / $C_SOCK" "-" "" "0 / 0"
printf "$FMT" "RSS idle (VmRSS after 20 requests)" "$(mb "$SRV_IDLE")" "$(mb "$BARE_IDLE")" "$(ratio "$SRV_IDLE" "$BARE_IDLE")" "<= 20 MB"
printf "$FMT" "RSS peak under read load (VmHWM)" "$(mb "$SRV_PEAK_READ")" "$(mb "$BARE_PEAK")" "$(ratio "$SRV_PEAK_READ" "$BARE_PEAK")" "-"
printf "$FMT" "RSS after read load (VmRSS)" "$(mb "$SRV_AFTER_READ")" "-" "" "-"
printf "$FMT" "RSS peak incl. creations (VmHWM)" "$(mb "$SRV_PEAK_ALL")" "-" "" "-"
printf "$FMT" "RSS after creations (VmRSS)" "$(mb "$SRV_AFTER_ALL")" "-" "" "-"
if [ -n "$WEB_KB" ]; then
	printf "$FMT" "web UI JS+CSS gzipped (web/size.mjs)" "$WEB_KB KB" "-" "" "<= ${WEB_BUDGET:-?} KB"
fi
}
[ -z "$C_FIRST_BAD" ] || echo "first non-201 answer: $C_FIRST_BAD"
for f in "$TMP"/wrk-*.txt; do
	d=$(sed -n 's/^ *Socket errors: //p' "$f")
	[ -z "$d" ] || echo "socket errors in $(basename "$f" .txt): $d (wrk's timeout is 2 s)"
done
echo
for side in ungcuu bare; do
	line="GET runs, $side:"
	for r in $(seq "$ROUNDS"); do
		f=$TMP/wrk-$side-$r.txt
		line="$line  #$r $(fmt_rps "$(wrk_rps "$f")") p99 $(wrk_p99_ms "$f") ms"
	done
	echo "$line"
done
[ "$BUSY_BEFORE" -lt 20 ] ||
	echo "note: the CPUs were $BUSY_BEFORE % busy before the run: other work shares them, figures are noisy"
echo

# ------------------------------------------------------------- verdicts ---
STATUS=0
verdict() { # verdict OK TEXT
	if [ "$1" = 1 ]; then echo "PASS  $2"; else echo "FAIL  $2"; STATUS=1; fi
}
verdict "$(awk -v a="$U_RPS" -v b="$B_RPS" 'BEGIN { ok = 0; if (b > 0 && a >= 0.5 * b) ok = 1; print ok }')" \
	"reads >= 50 % of the ceiling: $(pct "$U_RPS" "$B_RPS") ($(fmt_rps "$U_RPS") of $(fmt_rps "$B_RPS"))"
verdict "$([ "$SRV_IDLE" -le $((20 * 1024)) ] && echo 1 || echo 0)" \
	"idle memory <= 20 MB: $(mb "$SRV_IDLE")"
verdict "$([ "$U_BAD" = 0 ] && [ "$NC_BAD" = 0 ] && [ "$C_BAD" = 0 ] && [ "$C_OK" -gt 0 ] && echo 1 || echo 0)" \
	"every benchmarked request answered as expected: GET non-2xx $((U_BAD + NC_BAD)), POST 201 $C_OK / non-201 $C_BAD"
if [ -n "$WEB_KB" ] && [ -n "$WEB_BUDGET" ]; then
	verdict "$(awk -v a="$WEB_KB" -v b="$WEB_BUDGET" 'BEGIN { ok = 0; if (a + 0 <= b + 0) ok = 1; print ok }')" \
		"web UI first load <= $WEB_BUDGET KB gzipped: $WEB_KB KB"
fi
exit "$STATUS"
