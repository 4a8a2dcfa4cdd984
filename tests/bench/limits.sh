#!/usr/bin/env bash
# tests/bench/limits.sh BIN - `make bench`: the cost of TLS and what the
# login gate buys, side by side in one run on this machine (loopback only):
#   - authenticated GET /api/v1/incidents/{id}: requests/s and p99 over
#     HTTPS (serve --tls-cert, a self-signed P-256 certificate) against
#     plain HTTP, wrk -t2 -c64 on kept-alive connections, runs interleaved,
#     best of BENCH_ROUNDS each;
#   - an attacker's login flood (wrk -t2 -c32, a new unknown username each
#     time, one address): password checks/s it gets (401s: one Argon2id
#     each) and refusals/s (429s), with the gate at its defaults and with it
#     wide open (the checks still run on the login lane, not on the threads
#     that answer reads: what is left is the CPU they take);
#   - normal reads' p99 (wrk -t1 -c4) alone, and under each flood.
# Figures only: no target here (the starvation test in tests/api/limits.test.mjs
# checks that reads are answered during a flood); exit 2 when it cannot run.
# Environment: BENCH_DURATION (s per run, default 5), BENCH_ROUNDS (default 2),
# BENCH_THREADS (server threads, default 2).
set -euo pipefail

cd "$(dirname "$0")/../.."
BIN=${1:-build-release/ungcuu}
DUR=${BENCH_DURATION:-5}
ROUNDS=${BENCH_ROUNDS:-2}
SRV_THREADS=${BENCH_THREADS:-2}

die() { echo "bench-limits: $*" >&2; exit 2; }
for tool in wrk curl openssl; do
	command -v "$tool" >/dev/null || die "$tool not found"
done
[ -x "$BIN" ] || die "no $BIN"

TMP=$(mktemp -d "${TMPDIR:-/tmp}/ungcuu-bench-limits.XXXXXX")
PIDS=()
# shellcheck disable=SC2317 # (run by the EXIT trap)
cleanup() {
	local p
	for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
	for p in "${PIDS[@]}"; do
		for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$p" 2>/dev/null || true
		wait "$p" 2>/dev/null || true
	done
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 2' INT TERM HUP

# shellcheck source=tests/bench/lib.sh
. tests/bench/lib.sh
wrk_timeouts() { awk '/Socket errors:/ { gsub(/,/, ""); print $NF; found = 1 } END { if (!found) print 0 }' "$1"; }
# p99, or "-" when (almost) nothing was answered: wrk then prints no useful one.
p99_or_none() {
	if awk -v v="$(wrk_rps "$1")" 'BEGIN { exit !(v >= 2) }'; then echo "$(wrk_p99_ms "$1") ms"; else echo "-"; fi
}

# ------------------------------------------------------------- the data ---
DB=$TMP/b.db
"$BIN" demo --db "$DB" --json >"$TMP/demo.json" || die "ungcuu demo failed"
TOKEN=$("$BIN" admin token create --db "$DB" --username dieuphoi) || die "token create failed"
AUTH="Authorization: Bearer $TOKEN"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj /CN=bench \
	-keyout "$TMP/key.pem" -out "$TMP/cert.pem" 2>/dev/null || die "openssl req failed"
# The gate wide open: as the server was before it.
printf '[server]\nlogin_rate = 1000000\nlogin_user_rate = 1000000\nlogin_burst = 1000000\nlogin_parallel = 64\n' \
	>"$TMP/open.ini"

# shellcheck disable=SC2034 # (read through ${!port_var})
PORT_plain="" PORT_tls="" PORT_open=""
start() { # start NAME SCHEME ARGS...: sets PORT_<NAME>
	local name=$1 scheme=$2 port
	shift 2
	port=$(free_port)
	"$BIN" serve --db "$DB" --listen "127.0.0.1:$port" --threads "$SRV_THREADS" --web "$TMP/none" "$@" \
		>"$TMP/serve-$name.log" 2>&1 &
	PIDS+=("$!")
	wait_up "$!" "$scheme://127.0.0.1:$port/api/v1/health" ||
		{ cat "$TMP/serve-$name.log" >&2; die "serve $name did not start"; }
	printf -v "PORT_$name" '%s' "$port"
}
start plain http
start tls https --tls-cert "$TMP/cert.pem" --tls-key "$TMP/key.pem"
start open http --config "$TMP/open.ini"

ID=$(curl -sf -H "$AUTH" "http://127.0.0.1:$PORT_plain/api/v1/incidents" |
	grep -o '"id":"[0-9a-f-]\{36\}"' | head -1 | cut -d'"' -f4)
[ -n "$ID" ] || die "no incident in the demo database"
PATH_ONE=/api/v1/incidents/$ID

# ------------------------------------------------------------ TLS cost ---
for round in $(seq "$ROUNDS"); do
	for side in plain tls; do
		[ $((round % 2)) = 1 ] || side=$([ "$side" = plain ] && echo tls || echo plain)
		port_var=PORT_$side
		scheme=$([ "$side" = tls ] && echo https || echo http)
		echo "bench-limits: GET over $side (round $round/$ROUNDS), wrk -t2 -c64 -d${DUR}s ..." >&2
		wrk -t2 -c64 -d"${DUR}s" --latency -H "$AUTH" "$scheme://127.0.0.1:${!port_var}$PATH_ONE" \
			>"$TMP/wrk-$side-$round.txt"
	done
done
best() { # best SIDE: "rps p99" of its best run
	local r v best_v=-1 best_r=1
	for r in $(seq "$ROUNDS"); do
		v=$(wrk_rps "$TMP/wrk-$1-$r.txt")
		if awk -v a="$v" -v b="$best_v" 'BEGIN { exit !(a > b) }'; then best_v=$v; best_r=$r; fi
	done
	echo "$best_v $(wrk_p99_ms "$TMP/wrk-$1-$best_r.txt")"
}
read -r P_RPS P_P99 <<<"$(best plain)"
read -r T_RPS T_P99 <<<"$(best tls)"

# ----------------------------------------------------------- the flood ---
reads() { # reads PORT OUT: a normal client's reads
	wrk -t1 -c4 -d"${DUR}s" --latency -H "$AUTH" "http://127.0.0.1:$1$PATH_ONE" >"$2"
}
flood() { # flood PORT OUT
	wrk -t2 -c32 -d"${DUR}s" -s tests/bench/login.lua "http://127.0.0.1:$1/api/v1/session" >"$2"
}
echo "bench-limits: reads alone ..." >&2
reads "$PORT_plain" "$TMP/reads-alone.txt"
for side in plain open; do
	port_var=PORT_$side
	echo "bench-limits: login flood against the gate ($side) with reads ..." >&2
	reads "${!port_var}" "$TMP/reads-$side.txt" &
	R=$!
	flood "${!port_var}" "$TMP/flood-$side.txt"
	wait "$R"
done
flood_field() { sed -nE "s/.*$2=([0-9]+).*/\\1/p" "$TMP/flood-$1.txt"; }
per_s() { awk -v n="$1" -v us="$2" 'BEGIN { if (us > 0) printf "%.1f/s", n * 1e6 / us; else print "-" }'; }

# ---------------------------------------------------------------- table ---
FMT='%-52s %16s %16s %9s\n'
pct() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.1f %%", 100 * a / b; else print "-" }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }'; }
echo
echo "ungcuu limits bench $(date -u +%Y-%m-%dT%H:%M:%SZ) on $(nproc) cores; server --threads $SRV_THREADS; ${DUR}s runs"
echo
# shellcheck disable=SC2059
{
printf "$FMT" "metric" "HTTPS" "HTTP" "ratio"
printf "$FMT" "GET /api/v1/incidents/{id} requests/s (wrk -c64)" "$(awk -v v="$T_RPS" 'BEGIN{printf "%.0f/s", v}')" \
	"$(awk -v v="$P_RPS" 'BEGIN{printf "%.0f/s", v}')" "$(pct "$T_RPS" "$P_RPS")"
printf "$FMT" "GET p99" "$T_P99 ms" "$P_P99 ms" "$(ratio "$T_P99" "$P_P99")"
echo
printf "$FMT" "login flood, 32 connections, one address" "gate (defaults)" "gate wide open" ""
printf "$FMT" "password checks the attacker gets (401s)" \
	"$(per_s "$(flood_field plain checked)" "$(flood_field plain duration_us)")" \
	"$(per_s "$(flood_field open checked)" "$(flood_field open duration_us)")" ""
printf "$FMT" "refused before any check (429s)" \
	"$(per_s "$(flood_field plain gated)" "$(flood_field plain duration_us)")" \
	"$(per_s "$(flood_field open gated)" "$(flood_field open duration_us)")" ""
printf "$FMT" "normal reads p99 under the flood (wrk -c4)" "$(p99_or_none "$TMP/reads-plain.txt")" \
	"$(p99_or_none "$TMP/reads-open.txt")" ""
printf "$FMT" "normal reads/s under the flood" "$(awk -v v="$(wrk_rps "$TMP/reads-plain.txt")" 'BEGIN{printf "%.0f/s", v}')" \
	"$(awk -v v="$(wrk_rps "$TMP/reads-open.txt")" 'BEGIN{printf "%.0f/s", v}')" ""
printf "$FMT" "normal reads p99 without a flood" "$(wrk_p99_ms "$TMP/reads-alone.txt") ms" "" ""
printf "$FMT" "normal reads non-2xx (alone / gate / open)" \
	"$(wrk_bad "$TMP/reads-alone.txt") / $(wrk_bad "$TMP/reads-plain.txt") / $(wrk_bad "$TMP/reads-open.txt")" "" ""
printf "$FMT" "normal reads timed out (2 s; alone / gate / open)" \
	"$(wrk_timeouts "$TMP/reads-alone.txt") / $(wrk_timeouts "$TMP/reads-plain.txt") / $(wrk_timeouts "$TMP/reads-open.txt")" "" ""
}
echo "GET runs: $(for s in tls plain; do for r in $(seq "$ROUNDS"); do printf '%s#%s %.0f/s  ' "$s" "$r" "$(wrk_rps "$TMP/wrk-$s-$r.txt")"; done; done)"
