#!/bin/sh
# tools/demo-federation.sh [BIN] - `make demo-federation`: three instances of
# the demo district's hierarchy on this machine, each its own database under
# var/federation/ and its own loopback port, peers registered both ways:
#   national (VNCERT/CC)       http://127.0.0.1:8281
#   province (Sở TT&TT Bình Thuận) http://127.0.0.1:8282  parent of the district
#   district (Phú Quý)         http://127.0.0.1:8283
# The children initiate (the island sits behind NAT): the district's sync
# loop pushes to and pulls from the province, the province's from the
# national, every 5 s ([sync] interval in var/federation/sync.ini).
# Each database is the demo district (`ungcuu demo`); which instance hosts
# which organisations is the peers table's (VNCERT/CC: national; the
# province's team: province; Phú Quý and its communes: district; an
# organisation is hosted by the peer naming it or its nearest ancestor).
# Prints the URLs and the logins; Ctrl-C stops the three. A second run
# reuses the databases (delete var/federation/ to start again).
set -eu
BIN=${1:-build/ungcuu}
DIR=${FED_DIR:-var/federation}
PORT_N=${FED_PORT_N:-8281} PORT_P=${FED_PORT_P:-8282} PORT_D=${FED_PORT_D:-8283}
mkdir -p "$DIR"
chmod 700 "$DIR"

if [ ! -f "$DIR/district.db" ]; then
	for n in national province district; do
		(umask 077 && "$BIN" demo --db "$DIR/$n.db" --json > "$DIR/$n-logins.json")
	done
	# peers both ways; the child knows its parent's URL, the parent needs none
	# of its child's (the child calls).
	key() { "$BIN" peer show --db "$DIR/$1.db" --json |
		python3 -c 'import json,sys; print(json.load(sys.stdin)["public_key"])'; }
	add() { # add AT NAME RELATION ORGS [URL]
		"$BIN" peer add --db "$DIR/$1.db" --name "$2" --key "$(key "$2")" --relation "$3" \
			--orgs "$4" ${5:+--url "$5"} > /dev/null
	}
	add district province parent stttt-bth,vncert "http://127.0.0.1:$PORT_P"
	add province district child pq
	add province national parent vncert "http://127.0.0.1:$PORT_N"
	add national province child stttt-bth
	printf '[sync]\ninterval = 5s\ntimeout = 10s\n' > "$DIR/sync.ini"
fi

pids=
stop() {
	for p in $pids; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
}
trap 'stop; exit 0' INT TERM
trap stop EXIT
for n in national:$PORT_N province:$PORT_P district:$PORT_D; do
	name=${n%%:*} port=${n#*:}
	"$BIN" serve --db "$DIR/$name.db" --listen "127.0.0.1:$port" --config "$DIR/sync.ini" \
		>> "$DIR/$name.log" 2>&1 &
	pids="$pids $!"
done
i=0
for port in $PORT_N $PORT_P $PORT_D; do
	until curl -sf "http://127.0.0.1:$port/api/v1/health" > /dev/null 2>&1; do
		i=$((i + 1))
		[ $i -gt 200 ] && { echo "ungcuu: a server did not start; see $DIR/*.log" >&2; exit 1; }
		sleep 0.1
	done
done

login() { # login INSTANCE USERNAME: "username / password"
	python3 -c 'import json,sys
for l in json.load(open(sys.argv[1]))["logins"]:
    if l["username"] == sys.argv[2]: print(l["username"] + " / " + l["password"])' \
		"$DIR/$1-logins.json" "$2"
}
cat <<EOF
Liên thông ba cấp / three-level federation (Ctrl-C dừng / stops):

  Quốc gia (VNCERT/CC) / national   http://127.0.0.1:$PORT_N   $(login national admin)
  Tỉnh (Sở TT&TT) / province        http://127.0.0.1:$PORT_P   $(login province tinh)
  Huyện Phú Quý / district          http://127.0.0.1:$PORT_D   $(login district dieuphoi)
                                                             $(login district tamthanh)

Huyện leo thang trong một thẻ, tỉnh trả lời trong thẻ khác; vòng liên thông chạy mỗi 5 giây.
Escalate in the district's tab, answer in the province's; the sync loop runs every 5 s.
By hand: $BIN sync run --db $DIR/district.db    Logs: $DIR/*.log
EOF
wait
