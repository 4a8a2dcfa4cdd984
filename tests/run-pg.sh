#!/bin/sh
# run-pg.sh - the API test suite against `serve --db postgres://...`
# (make check-pg): a throwaway PostgreSQL 15 cluster in a temporary
# directory on a loopback port (tools/pg-cluster.sh), every server of the
# suite on a database of its own there (tests/lib/server.mjs,
# UNGCUU_TEST_DB=pg), then the cluster stopped and removed.
# Usage: tests/run-pg.sh ASAN_BUILD [TEST_FILE...]
# Ends with one line: "pg api: N passed, N failed".
set -u
ASAN=${1:?usage: tests/run-pg.sh ASAN_BUILD [TEST_FILE...]}
shift
tmp=$(mktemp -d "${TMPDIR:-/tmp}/ungcuu-check-pg-XXXXXX")
cluster="$tmp/cluster"
cleanup() {
	tools/pg-cluster.sh stop "$cluster"
	rm -rf "$tmp"
}
trap cleanup EXIT INT TERM
base=$(tools/pg-cluster.sh start "$cluster") || exit 1
if [ -x "$ASAN/tests/unit/test_store_pg" ]; then
	echo "== unit: store_pg on PostgreSQL"
	UNGCUU_TEST_PG="$base" ASAN_OPTIONS=detect_leaks=1:halt_on_error=1 \
		"$ASAN/tests/unit/test_store_pg" >"$tmp/unit-pg.txt" 2>&1
	unit_rc=$?
	grep -E "^\[  (PASSED|FAILED) " "$tmp/unit-pg.txt"
	[ "$unit_rc" = 0 ] || cat "$tmp/unit-pg.txt"
fi
if [ -x "$ASAN/tests/unit/test_vuln_match" ]; then
	echo "== unit: the matcher's batches on PostgreSQL"
	UNGCUU_TEST_PG="$base" ASAN_OPTIONS=detect_leaks=1:halt_on_error=1 \
		"$ASAN/tests/unit/test_vuln_match" >"$tmp/unit-match.txt" 2>&1
	match_rc=$?
	grep -E "^\[  (PASSED|FAILED) " "$tmp/unit-match.txt"
	[ "$match_rc" = 0 ] || { cat "$tmp/unit-match.txt"; unit_rc=1; }
fi
echo "== api on PostgreSQL ($base)"
files="$*"
[ -n "$files" ] || files=tests/api/
log="$tmp/api-pg.tap"
# shellcheck disable=SC2086
UNGCUU_TEST_DB=pg UNGCUU_TEST_PG="$base" UNGCUU_BIN="$ASAN/ungcuu" \
	timeout 1200 node --test --test-reporter=tap $files >"$log" 2>&1
rc=$?
mkdir -p "$ASAN/meson-logs"
cp "$log" "$ASAN/meson-logs/api-pg.tap"
grep -E '^\s*not ok' "$log" | sed 's/^ *//' | head -100
pass=$(grep -E '^# pass ' "$log" | tail -1 | awk '{print $3}')
fail=$(grep -E '^# fail ' "$log" | tail -1 | awk '{print $3}')
echo "pg api: ${pass:-0} passed, ${fail:-?} failed (TAP: $ASAN/meson-logs/api-pg.tap, exit $rc)"
[ "$rc" = 0 ] && [ "${unit_rc:-0}" = 0 ]
