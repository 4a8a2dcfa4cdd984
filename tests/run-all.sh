#!/bin/sh
# run-all.sh ASAN_BUILD FUZZ_BUILD [BUILD] - runs every test suite and ends with the
# one line `N passed, N failed` counting every test case of every suite:
#   unit  cmocka cases (TAP) of each tests/unit binary, built with ASan+UBSan
#   api   node --test tests/api against the ASan+UBSan server
#   api-pg the same API suite once more on PostgreSQL 15, against the
#         release build (BUILD, the third argument; PG_SERVER_BUILD=build-asan
#         for the ASan one; it took 2.5× as long here, DESIGN): a throwaway
#         cluster (tools/pg-cluster.sh: initdb + pg_ctl in a temporary
#         directory, a free loopback port), stopped and removed at the end
#         even on failure; with it the store's PostgreSQL unit test
#   e2e   node --test tests/e2e: playwright-core driving Debian's chromium
#   fuzz  each libFuzzer target for FUZZ_SECONDS on its corpus
#   sync  tests/sync/federation.sh: three instances exchanging envelopes
#         through cut links and kill -9 (network namespaces when root)
#   pkg   tests/pkg/deb.sh: the Debian packages built, installed, upgraded,
#         failed and purged on this machine (root and dpkg-buildpackage only)
set -u
ASAN=${1:-build-asan}
FUZZ=${2:-build-fuzz}
BUILD=${3:-build}
PG_SERVER=${PG_SERVER_BUILD:-$BUILD}
FUZZ_SECONDS=${FUZZ_SECONDS:-20}
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
log=$(mktemp -d)
pgdir=""
cleanup() {
	if [ -n "$pgdir" ]; then
		tools/pg-cluster.sh stop "$pgdir/cluster"
		rm -rf "$pgdir"
	fi
	rm -rf "$log"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
passed=0
failed=0

# count FILE: adds TAP "ok"/"not ok" lines of FILE to the totals.
count() {
	p=$(grep -cE '^[[:space:]]*ok [0-9]+' "$1")
	f=$(grep -cE '^[[:space:]]*not ok [0-9]+' "$1")
	passed=$((passed + p))
	failed=$((failed + f))
	echo "  $2: $p passed, $f failed"
}

# node's TAP reporter ends with "# pass N" / "# fail N" for the whole run.
count_node() {
	p=$(sed -n 's/^# pass \([0-9]*\)$/\1/p' "$1" | tail -n 1)
	f=$(sed -n 's/^# fail \([0-9]*\)$/\1/p' "$1" | tail -n 1)
	p=${p:-0}
	f=${f:-0}
	if [ "$3" != 0 ] && [ "$f" = 0 ]; then
		f=1 # the runner itself failed (a crash, a file that did not load)
	fi
	passed=$((passed + p))
	failed=$((failed + f))
	echo "  $2: $p passed, $f failed"
}

echo "== lint"
python3 tools/check-binds.py > "$log/lint.tap" 2>&1
cat "$log/lint.tap"
count "$log/lint.tap" lint

echo "== unit (cmocka, ASan+UBSan)"
for t in "$ASAN"/tests/unit/test_*; do
	[ -f "$t" ] && [ -x "$t" ] || continue   # not meson's test_*.p folders
	name=$(basename "$t")
	CMOCKA_MESSAGE_OUTPUT=TAP timeout 300 "$t" > "$log/$name.tap" 2>&1
	rc=$?
	if [ $rc != 0 ] && ! grep -qE '^not ok' "$log/$name.tap"; then
		echo "not ok 1 - $name exited with $rc" >> "$log/$name.tap"
	fi
	grep -E '^(not ok|#)' "$log/$name.tap" | grep -v '^# ok' | head -20
	[ $rc != 0 ] && tail -30 "$log/$name.tap"
	count "$log/$name.tap" "$name"
done

echo "== api (node --test, ASan+UBSan server)"
UNGCUU_BIN="$ASAN/ungcuu" timeout 900 node --test --test-reporter=tap tests/api/ > "$log/api.tap" 2>&1
rc=$?
grep -E '^\s*not ok' -A 12 "$log/api.tap" | head -80
count_node "$log/api.tap" api $rc

echo "== api-pg (node --test, the same suite on PostgreSQL 15, server $PG_SERVER/ungcuu)"
pgdir=$(mktemp -d "${TMPDIR:-/tmp}/ungcuu-check-pg-XXXXXX")
if pgbase=$(tools/pg-cluster.sh start "$pgdir/cluster" 2>"$log/pg-start.txt"); then
	if [ -x "$ASAN/tests/unit/test_store_pg" ]; then
		UNGCUU_TEST_PG="$pgbase" CMOCKA_MESSAGE_OUTPUT=TAP timeout 300 \
			"$ASAN/tests/unit/test_store_pg" > "$log/unit-pg.tap" 2>&1
		rc=$?
		if [ $rc != 0 ] && ! grep -qE '^not ok' "$log/unit-pg.tap"; then
			echo "not ok 1 - test_store_pg exited with $rc" >> "$log/unit-pg.tap"
		fi
		grep -E '^not ok' "$log/unit-pg.tap"
		count "$log/unit-pg.tap" test_store_pg
	fi
	UNGCUU_TEST_DB=pg UNGCUU_TEST_PG="$pgbase" UNGCUU_BIN="$PG_SERVER/ungcuu" \
		timeout 1200 node --test --test-reporter=tap tests/api/ > "$log/api-pg.tap" 2>&1
	rc=$?
	grep -E '^\s*not ok' -A 12 "$log/api-pg.tap" | head -80
	count_node "$log/api-pg.tap" api-pg $rc
else
	cat "$log/pg-start.txt"
	echo "not ok 1 - PostgreSQL 15 did not start (make deps-pg installs postgresql-15)" > "$log/api-pg.tap"
	count "$log/api-pg.tap" api-pg
fi
tools/pg-cluster.sh stop "$pgdir/cluster"
rm -rf "$pgdir"
pgdir=""

echo "== e2e (playwright-core + chromium)"
UNGCUU_BIN="$ASAN/ungcuu" timeout 900 node --test --test-concurrency=1 --test-reporter=tap tests/e2e/ > "$log/e2e.tap" 2>&1
rc=$?
grep -E '^\s*not ok' -A 12 "$log/e2e.tap" | head -80
grep -E '^# (render|queue|size)' "$log/e2e.tap"
count_node "$log/e2e.tap" e2e $rc

echo "== fuzz (libFuzzer, ${FUZZ_SECONDS}s each)"
if [ -x tests/fuzz/run.sh ]; then
	tests/fuzz/run.sh "$FUZZ" "$FUZZ_SECONDS" > "$log/fuzz.tap" 2>&1
	grep -E '^(ok|not ok)' "$log/fuzz.tap"
	p=$(grep -cE '^ok ' "$log/fuzz.tap")
	f=$(grep -cE '^not ok ' "$log/fuzz.tap")
	passed=$((passed + p))
	failed=$((failed + f))
	[ "$f" != 0 ] && tail -40 "$log/fuzz.tap"
	echo "  fuzz: $p passed, $f failed"
fi

echo "== sync (federation end to end: three instances, cut links, kill -9)"
timeout 900 tests/sync/federation.sh "$ASAN/ungcuu" > "$log/sync.tap" 2>&1
rc=$?
if [ $rc != 0 ] && ! grep -qE '^not ok' "$log/sync.tap"; then
	tail -30 "$log/sync.tap"
	echo "not ok 1 - tests/sync/federation.sh exited with $rc" >> "$log/sync.tap"
fi
grep -E '^(# network|# the same)' "$log/sync.tap"
grep -E '^not ok' -A 6 "$log/sync.tap" | head -60
count "$log/sync.tap" sync

echo "== cluster (two nodes behind HAProxy on PostgreSQL: leader, node kill, database restart)"
if [ -x /usr/lib/postgresql/15/bin/initdb ] && { command -v haproxy >/dev/null 2>&1 || [ -x /usr/sbin/haproxy ]; }; then
	# the Patroni switchover too when patroni and etcd are installed (it
	# skips itself otherwise)
	UNGCUU_BIN="$ASAN/ungcuu" timeout 900 node --test --test-concurrency=1 --test-reporter=tap \
		tests/cluster/nodes.mjs tests/cluster/patroni.mjs > "$log/cluster.tap" 2>&1
	rc=$?
	grep -E '# (leader kill|node kill|PostgreSQL stop|Patroni switchover)' "$log/cluster.tap"
	grep -E '^\s*not ok' -A 12 "$log/cluster.tap" | head -60
	count_node "$log/cluster.tap" cluster $rc
else
	echo "  cluster: skipped (needs postgresql-15 and haproxy: make deps-cluster, which make check runs)"
fi

echo "== pkg (Debian packages: build, install, upgrade, purge)"
if [ "$(id -u)" = 0 ] && command -v dpkg-buildpackage >/dev/null 2>&1; then
	timeout 900 tests/pkg/deb.sh > "$log/pkg.tap" 2>&1
	rc=$?
	if [ $rc != 0 ] && ! grep -qE '^not ok' "$log/pkg.tap"; then
		tail -30 "$log/pkg.tap"
		echo "not ok 1 - tests/pkg/deb.sh exited with $rc" >> "$log/pkg.tap"
	fi
	grep -E '^not ok' -A 16 "$log/pkg.tap" | head -80
	count "$log/pkg.tap" pkg
else
	echo "  pkg: skipped (needs root and dpkg-buildpackage)"
fi

echo
echo "$passed passed, $failed failed"
[ "$failed" = 0 ] && [ "$passed" -gt 0 ]
