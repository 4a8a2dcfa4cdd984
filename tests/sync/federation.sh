#!/bin/sh
# tests/sync/federation.sh [BIN] - the federation end to end with real
# processes (issue 16, "How it is checked"); TAP on stdout.
#
# Three instances, national <- province <- district, each its own database
# and `ungcuu serve` with the sync loop every second. With network
# namespaces (root: ip netns, veth pairs, created here and removed at the
# end) each instance lives in its own namespace and the links are veth
# pairs; without them the same runs on loopback ports and "cutting the
# link" restarts the children's servers without their sync loops
# (--no-sync) instead, so that both sides keep taking changes.
#
# The district and the province exchange REAL changes (tests/sync/
# fedkinds.py, through each server's API as the demo's people): the
# district's escalations (support requests to the province), the
# province's indicators, warnings and answers (accepted with a note, a
# comment on the mirror); the province and the national exchange pings.
# About N (1,000) changes down and up over the four scenarios:
#   1. a link cut mid-stream: both sides keep writing while the veth is
#      down (the province answering what reached it), the link comes back;
#   2. kill -9 of the district just after its burst (while its loop
#      pushes), the province writing meanwhile, then restart;
#   3. kill -9 of the province just after the district's burst (while it
#      applies), the district writing meanwhile, then restart;
#   4. USB bundles with the link down the whole time.
# After each, proved from both databases (fedkinds.py same): every
# envelope each side queued for the other was applied there exactly once
# (the same ids, seqs and kinds in the sender's outbox and the receiver's
# inbox, the receiver's cursor at the last), and both sides show the same
# escalations, answers, comments, warnings (and their targets) and
# indicators, each once. Every wait is bounded (WAIT seconds); nothing is
# timed.
set -u
BIN=${1:-build-asan/ungcuu}
BIN=$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")
WAIT=${WAIT:-120}
N=${N:-1000}
# beside the binary (its build directory): a sweep of /tmp by another
# suite cannot pull the databases away mid-run
W=$(mktemp -d "$(dirname "$BIN")/sync-fed.XXXXXX")
id=$(( $$ % 10000 ))
NS_N=ucf${id}n NS_P=ucf${id}p NS_D=ucf${id}d
t=0
fails=0

ok() { t=$((t + 1)); echo "ok $t - $*"; }
not_ok() { t=$((t + 1)); fails=$((fails + 1)); echo "not ok $t - $*"; }
check() { # check DESCRIPTION COMMAND...
	d=$1
	shift
	if "$@"; then ok "$d"; else not_ok "$d"; fi
}

cleanup() {
	for n in national province district; do
		[ -f "$W/$n.pid" ] && kill -9 "$(cat "$W/$n.pid")" 2>/dev/null
	done
	if [ "${NETNS:-0}" = 1 ]; then
		ip netns del "$NS_N" 2>/dev/null
		ip netns del "$NS_P" 2>/dev/null
		ip netns del "$NS_D" 2>/dev/null
	fi
	rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# ---- the network: namespaces when permitted, else loopback ----
NETNS=0
if [ "${FED_LOOPBACK:-0}" != 1 ] && [ "$(id -u)" = 0 ] && command -v ip >/dev/null 2>&1 && ip netns add "$NS_N" 2>/dev/null; then
	NETNS=1
	ip netns add "$NS_P" && ip netns add "$NS_D" &&
	for ns in "$NS_N" "$NS_P" "$NS_D"; do ip -n "$ns" link set lo up; done &&
	ip link add "ucf${id}dp" netns "$NS_D" type veth peer name "ucf${id}pd" netns "$NS_P" &&
	ip link add "ucf${id}pn" netns "$NS_P" type veth peer name "ucf${id}np" netns "$NS_N" &&
	ip -n "$NS_D" addr add 10.77.1.2/24 dev "ucf${id}dp" &&
	ip -n "$NS_P" addr add 10.77.1.1/24 dev "ucf${id}pd" &&
	ip -n "$NS_P" addr add 10.77.2.2/24 dev "ucf${id}pn" &&
	ip -n "$NS_N" addr add 10.77.2.1/24 dev "ucf${id}np" &&
	ip -n "$NS_D" link set "ucf${id}dp" up && ip -n "$NS_P" link set "ucf${id}pd" up &&
	ip -n "$NS_P" link set "ucf${id}pn" up && ip -n "$NS_N" link set "ucf${id}np" up ||
		{ echo "Bail out! could not build the namespaces"; exit 1; }
	PORT_N=8443 PORT_P=8443 PORT_D=8443
	URL_P=http://10.77.1.1:$PORT_P URL_N=http://10.77.2.1:$PORT_N
	echo "# network namespaces $NS_N $NS_P $NS_D, veth links district-province and province-national"
else
	echo "# network namespaces not permitted here (or FED_LOOPBACK=1): the same scenarios on loopback ports,"
	echo "# a link cut is the children's servers restarted without their sync loops, and with them again"
	base=$(( 20000 + id % 20000 ))
	PORT_N=$base PORT_P=$((base + 1)) PORT_D=$((base + 2))
	URL_P=http://127.0.0.1:$PORT_P URL_N=http://127.0.0.1:$PORT_N
fi

ns_of() { case $1 in national) echo "$NS_N" ;; province) echo "$NS_P" ;; district) echo "$NS_D" ;; esac; }
port_of() { case $1 in national) echo "$PORT_N" ;; province) echo "$PORT_P" ;; district) echo "$PORT_D" ;; esac; }
in_ns() { # in_ns NAME COMMAND...: runs in the instance's namespace (or here)
	n=$1
	shift
	if [ "$NETNS" = 1 ]; then ip netns exec "$(ns_of "$n")" "$@"; else "$@"; fi
}

printf '[sync]\ninterval = 1s\ntimeout = 5s\n' > "$W/sync.ini"

start() { # start NAME [--no-sync]: its server (with the sync loop), waits for /health
	n=$1 extra=${2:-}
	port=$(port_of "$n")
	addr=127.0.0.1
	[ "$NETNS" = 1 ] && addr=0.0.0.0
	# a simple command in the background: $! is the server itself (ip netns
	# exec execs it), so kill -9 reaches it
	set -- serve --db "$W/$n.db" --listen "$addr:$port" --config "$W/sync.ini" --web "$W/no-web" $extra
	if [ "$NETNS" = 1 ]; then
		ip netns exec "$(ns_of "$n")" "$BIN" "$@" >> "$W/$n.log" 2>&1 &
	else
		"$BIN" "$@" >> "$W/$n.log" 2>&1 &
	fi
	echo $! > "$W/$n.pid"
	i=0
	while [ $i -lt 200 ]; do
		if in_ns "$n" curl -sf "http://127.0.0.1:$port/api/v1/health" >/dev/null 2>&1; then
			[ "$(readlink "/proc/$(cat "$W/$n.pid")/exe")" = "$BIN" ] && return 0
			echo "# $n: the pid kept is not the server's"
			return 1
		fi
		sleep 0.1
		i=$((i + 1))
	done
	echo "# $n did not start:"
	sed 's/^/#   /' "$W/$n.log" | tail -20
	return 1
}
stop() { kill -TERM "$(cat "$W/$1.pid")" 2>/dev/null; wait "$(cat "$W/$1.pid")" 2>/dev/null; rm -f "$W/$1.pid"; }
kill9() { kill -9 "$(cat "$W/$1.pid")" 2>/dev/null; wait "$(cat "$W/$1.pid")" 2>/dev/null; rm -f "$W/$1.pid"; }

# link_down / link_up: the district's and the province's uplinks.
link_down() {
	if [ "$NETNS" = 1 ]; then
		ip -n "$NS_D" link set "ucf${id}dp" down
		ip -n "$NS_P" link set "ucf${id}pn" down
	else
		# the children call: with their loops stopped nothing flows, and
		# both servers stay up for the people writing on each side
		stop district && start district --no-sync
		stop province && start province --no-sync
	fi
}
link_up() {
	if [ "$NETNS" = 1 ]; then
		ip -n "$NS_D" link set "ucf${id}dp" up
		ip -n "$NS_P" link set "ucf${id}pn" up
	else
		stop province && start province && stop district && start district
	fi
}

# ---- what `ungcuu sync status --json` says, per peer ----
# field INSTANCE PEER KEY...: the values of KEYs of PEER in INSTANCE's status.
field() {
	db=$W/$1.db peer=$2
	shift 2
	"$BIN" sync status --db "$db" --json 2>/dev/null | python3 -c '
import json, sys
s = json.load(sys.stdin)
p = [x for x in s["peers"] if x["name"] == sys.argv[1]][0]
print(" ".join(str(p.get(k, 0)) for k in sys.argv[2:]))' "$peer" "$@"
}
# received TO FROM: "pings applied, applied cursor" at TO of FROM's
# envelopes: a ping applied twice would count twice, one missing once less.
received() { field "$1" "$2" pings in_applied; }
# cursors SENDER RECEIVER: "queued-at-sender acknowledged-at-sender".
cursors() {
	q=$(field "$1" "$2" out_queued out_acked)
	echo "$q"
}
# converged FROM TO COUNT: waits (bounded) until TO applied COUNT pings from
# FROM exactly once, its cursor is COUNT, and FROM queued COUNT and has them
# all acknowledged.
converged() {
	want="$3 $3"
	i=0
	while [ $i -lt $((WAIT * 4)) ]; do
		got=$(received "$2" "$1")
		c=$(cursors "$1" "$2")
		if [ "$got" = "$want" ] && [ "$c" = "$want" ]; then
			return 0
		fi
		sleep 0.25
		i=$((i + 1))
	done
	echo "# $1 -> $2: at $2 pings/applied $got, expected $want; at $1 queued/acknowledged $c"
	return 1
}
# ping_ FROM TO COUNT: COUNT pings queued at once (at most 1,000).
ping_() { "$BIN" sync ping --db "$W/$1.db" --peer "$2" --count "$3" > /dev/null; }

# ---- three instances of the demo district's hierarchy, peers both ways ----
# Each database is the demo (its people and organisations); the home of an
# instance is its first administrator's organisation: the province's
# team at the province, VNCERT/CC at the national.
for n in national province district; do
	"$BIN" demo --db "$W/$n.db" --json > "$W/$n-logins.json" || { echo "Bail out! demo $n"; exit 1; }
	"$BIN" peer show --db "$W/$n.db" --json |
		python3 -c 'import json,sys; print(json.load(sys.stdin)["public_key"])' > "$W/$n.pub"
done
home() { # home INSTANCE ORG_CODE
	python3 -c 'import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
db.execute("UPDATE users SET org_id = (SELECT id FROM orgs WHERE code = ?) WHERE username = ?", (sys.argv[2], "admin"))
db.commit()' "$W/$1.db" "$2"
}
home province stttt-bth && home national vncert || { echo "Bail out! homes"; exit 1; }
peer_add() { # peer_add AT NAME RELATION ORGS [URL]
	"$BIN" peer add --db "$W/$1.db" --name "$2" --key "$(cat "$W/$2.pub")" --relation "$3" \
		--orgs "$4" ${5:+--url "$5"} > /dev/null
}
peer_add district province parent stttt-bth,vncert "$URL_P" && peer_add province district child pq &&
peer_add province national parent vncert "$URL_N" && peer_add national province child stttt-bth ||
	{ echo "Bail out! peers"; exit 1; }
start national && start province && start district || { echo "Bail out! servers"; exit 1; }
echo "# national $URL_N, province $URL_P, district :$PORT_D"

# ---- real changes, and the proof that both sides hold the same ----
HERE=$(cd "$(dirname "$0")" && pwd)
# load INSTANCE TAG STEP...: changes through the instance's API (fedkinds.py)
load() {
	n=$1
	shift
	made=$(in_ns "$n" python3 "$HERE/fedkinds.py" load "http://127.0.0.1:$(port_of "$n")" \
		"$W/$n-logins.json" "$@" 2>> "$W/load.err") || { not_ok "changes at the $n ($*): $(tail -1 "$W/load.err")"; return 1; }
	changes=$((changes + made))
}
changes=0
# same: waits (bounded) until fedkinds.py same holds; says what differs else
same() {
	i=0
	while [ $i -lt $((WAIT * 2)) ]; do
		if python3 "$HERE/fedkinds.py" same "$W/district.db" "$W/province.db" > "$W/same.out" 2>&1; then
			echo "# $(cat "$W/same.out")"
			return 0
		fi
		sleep 0.5
		i=$((i + 1))
	done
	sed 's/^/# /' "$W/same.out"
	return 1
}
# applied TO FROM: envelopes of FROM applied at TO; queued FROM TO: at FROM for TO
applied() { field "$1" "$2" in_applied; }
queued() { field "$1" "$2" out_queued; }
E=$((N / 10))   # escalations (and indicators) a burst
H=$((E / 2))

# 1. a link cut mid-stream, both sides writing
load district t1a "escalate:$E" && load province t1a "indicators:$E" "warnings:$((E / 4))"
check "link up: the first changes reached the other side, each once, both sides the same" same
link_down
load district t1b "escalate:$E"
load province t1b "indicators:$E" "warnings:$((E / 4))" answer
ping_ province national 200
sleep 2
check "the link is really cut: the province has $(applied province district) of the district's $(queued district province) envelopes" \
	test "$(applied province district)" -lt "$(queued district province)"
link_up
check "link cut: every envelope each way applied exactly once; escalations, answers, comments, warnings, indicators the same on both sides" same
check "link cut: the national applied each of the province's 200 envelopes exactly once" \
	converged province national 200

# 2. kill -9 of the district just after its burst, while its loop pushes
load district t2 "escalate:$E"
kill9 district
load province t2 "indicators:$E" answer
start district
check "kill -9 of the district: every envelope each way applied exactly once, both sides the same" same

# 3. kill -9 of the province just after the district's burst, while it applies
load district t3a "escalate:$E"
kill9 province
load district t3b "escalate:$H"
ping_ province national 100 || true
start province
load province t3 answer "indicators:$H"
check "kill -9 of the province: every envelope each way applied exactly once, both sides the same" same
check "kill -9 of the province: the national applied each of its 300 exactly once" \
	converged province national 300

# 4. USB bundles both ways, the link down the whole time
link_down
load district t4 "escalate:$H"
load province t4 "indicators:$H" "warnings:$((E / 4))"
sync_file() { "$BIN" sync "$@" > /dev/null; }
if sync_file export --db "$W/district.db" --peer province --out "$W/up.bundle" &&
   sync_file import --db "$W/province.db" "$W/up.bundle" &&
   sync_file export --db "$W/province.db" --peer district --out "$W/down.bundle" &&
   sync_file import --db "$W/district.db" "$W/down.bundle" --ack-out "$W/ack.bundle" &&
   sync_file import --db "$W/province.db" "$W/ack.bundle"; then
	ok "bundles written and read with the link down"
else
	not_ok "bundles written and read with the link down"
fi
check "bundle: every envelope each way applied exactly once, both sides the same, no link used" same
link_up
sync_file import --db "$W/province.db" "$W/up.bundle"
check "bundle imported twice: nothing applied twice, both sides the same" same
echo "# $changes changes made through the two instances' APIs"
check "at least $N changes streamed ($changes)" test "$changes" -ge "$N"

for n in district province national; do stop "$n"; done
for n in district province national; do
	if grep -qE ' error |AddressSanitizer|runtime error' "$W/$n.log"; then
		not_ok "$n's log has no error"
		grep -E ' error |AddressSanitizer|runtime error' "$W/$n.log" | head -5 | sed 's/^/#   /'
		# the first leak's or fault's stack, to find it without the run again
		grep -m1 -A14 -E '^(Direct|Indirect) leak|ERROR: AddressSanitizer|runtime error' "$W/$n.log" |
			sed 's/^/#   /'
	else
		ok "$n's log has no error"
	fi
done
echo "1..$t"
[ "$fails" = 0 ]
