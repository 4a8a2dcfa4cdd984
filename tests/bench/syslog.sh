#!/usr/bin/env bash
# tests/bench/syslog.sh [BINARY] - `make bench`: syslog intake (issue 17
# item 6), target >= 50,000 lines/s matched against 100,000 indicators on
# one core.
#   indicators  100,000 in the store (40,000 IPv4, 40,000 domains, 10,000
#               URLs, 5,000 e-mail addresses, 5,000 SHA-256), imported with
#               `ungcuu import list`;
#   lines       100,000 lines as devices send them: firewall drops (BSD),
#               web access (RFC 5424), sshd failures (BSD), DNS queries
#               (RFC 5424 with structured data); about 1 % name an indicator;
#   in process  syslog_parse + the matcher over the lines on one core
#               (tests/bench/syslog.c): the target applies here;
#   UDP path    the server's listener (its UDP thread, queue and worker on
#               loopback) while one sender blasts the lines for 5 s: lines/s
#               sent, received, read by the worker, and where lines are lost
#               (the kernel's socket buffer when the receiving thread falls
#               behind; the queue when the worker does).
# Exit status: 0 target met, 1 missed, 2 could not run. Environment:
# BENCH_TMPDIR, BENCH_KEEP=1.
set -euo pipefail

cd "$(dirname "$0")/../.."
BIN=${1:-${BUILD:-build}/ungcuu}
BUILD_DIR=$(dirname "$BIN")
TARGET=50000
die() { echo "bench syslog: $*" >&2; exit 2; }
[ -x "$BIN" ] || die "$BIN not built"
ninja -C "$BUILD_DIR" bench_syslog >/dev/null || die "cannot build bench_syslog"
TMP=$(mktemp -d "${BENCH_TMPDIR:-${TMPDIR:-/tmp}}/ungcuu-syslog.XXXXXX")
# shellcheck disable=SC2317
cleanup() { if [ "${BENCH_KEEP:-0}" = 1 ]; then echo "bench syslog: kept $TMP" >&2; else rm -rf "$TMP"; fi; }
trap cleanup EXIT

python3 - "$TMP" <<'PY'
import random, sys, hashlib
d = sys.argv[1]
r = random.Random(17)
ips = ['%d.%d.%d.%d' % (r.randint(1, 223), r.randint(0, 255), r.randint(0, 255), r.randint(1, 254)) for _ in range(40000)]
doms = ['%s%d.%s' % (r.choice(['cdn', 'upd', 'mail', 'api', 'x']), i, r.choice(['example', 'test', 'invalid'])) for i in range(40000)]
urls = ['http://%s/%s.php' % (r.choice(doms), i) for i in range(10000)]
mails = ['u%d@%s' % (i, r.choice(doms)) for i in range(5000)]
hashes = [hashlib.sha256(str(i).encode()).hexdigest() for i in range(5000)]
with open(d + '/indicators.txt', 'w') as f:
    for v in ips + doms + urls + mails + hashes:
        f.write(v + '\n')
def clean_ip():
    return '10.%d.%d.%d' % (r.randint(0, 255), r.randint(0, 255), r.randint(1, 254))
lines = []
for i in range(100000):
    hit = r.random() < 0.01
    src = r.choice(ips) if hit else clean_ip()
    k = r.random()
    if k < 0.4:
        lines.append('<4>Dec  7 10:%02d:%02d fw-xa kernel: [UFW BLOCK] IN=eth0 OUT= MAC=00:16:3e:5a:1b:2c SRC=%s DST=10.0.0.5 LEN=60 TOS=0x00 PREC=0x00 TTL=52 ID=%d DF PROTO=TCP SPT=%d DPT=22 WINDOW=64240 RES=0x00 SYN URGP=0' % (i % 60, i % 60, src, i, 1024 + i % 60000))
    elif k < 0.7:
        host = r.choice(doms) if hit and r.random() < 0.5 else 'cong.pq.gov.vn'
        lines.append('<190>1 2026-12-07T03:%02d:%02d.123Z web1 nginx - - - %s - - [07/Dec/2026:10:00:01 +0700] "GET /van-ban/%d?trang=2 HTTP/1.1" 200 5123 "https://%s/" "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36"' % (i % 60, i % 60, src, i, host))
    elif k < 0.9:
        lines.append('<38>Dec  7 10:00:%02d mail1 sshd[%d]: Failed password for invalid user admin from %s port %d ssh2' % (i % 60, 1000 + i, src, 1024 + i))
    else:
        q = r.choice(doms) if hit else 'www%d.gov.vn' % i
        lines.append('<30>1 2026-12-07T03:00:%02dZ dns1 named 812 query [meta client="%s"] client @0x7f %s#53124 (%s): query: %s IN A +E(0) (10.0.0.2)' % (i % 60, clean_ip(), clean_ip(), q, q))
with open(d + '/lines.txt', 'w') as f:
    f.write('\n'.join(lines) + '\n')
PY
"$BIN" init --db "$TMP/u.db" --json >/dev/null 2>&1 || die "ungcuu init failed"
"$BIN" import list "$TMP/indicators.txt" --db "$TMP/u.db" --tlp GREEN >/dev/null 2>&1 || die "importing the indicators failed"

echo "syslog intake: 100,000 indicators, 100,000 lines (target ${TARGET} lines/s on one core)"
OUT=$("$BUILD_DIR/bench_syslog" "$TMP/u.db" "$TMP/lines.txt" 5) || die "bench_syslog failed"
echo "$OUT"
RATE=$(echo "$OUT" | sed -n 's/.*lines, \([0-9]*\) lines\/s on one core.*/\1/p')
if [ -n "$RATE" ] && [ "$RATE" -ge "$TARGET" ]; then
	echo "target met: ${RATE} >= ${TARGET} lines/s in process"
else
	echo "target MISSED: ${RATE:-?} < ${TARGET} lines/s in process"
	exit 1
fi
