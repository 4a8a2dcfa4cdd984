#!/bin/sh
# tests/fuzz/run.sh BUILD_DIR SECONDS - runs each libFuzzer target of
# tests/fuzz for SECONDS on a copy of its seed corpus (tests/fuzz/corpus/NAME;
# the copy grows, the corpus in git does not), with tests/fuzz/fuzz_NAME.dict
# when there is one, and prints TAP-ish lines:
#   ok fuzz_NAME        no crash, leak, timeout (5 s) or 2 GB of memory
#   not ok fuzz_NAME    and the reproducer, kept under the work directory
# Exits 1 if any target failed. BUILD_DIR is a -Dfuzz=true build (clang);
# every fuzz_* program it holds is run, FUZZ_JOBS (default 2, the cores
# `make check` is given) at a time, each on one core; lines come out in
# the targets' order.
set -u

if [ $# -ne 2 ]; then
	echo "usage: $0 BUILD_DIR SECONDS" >&2
	exit 2
fi
build=$1
seconds=$2
here=$(cd "$(dirname "$0")" && pwd)

# Every fuzz_NAME the build made (others join as they are added to
# tests/fuzz/meson.build); none at all means the build is not a fuzz build.
targets=""
for f in "$build"/tests/fuzz/fuzz_*; do
	if [ -f "$f" ] && [ -x "$f" ]; then
		targets="$targets ${f##*/fuzz_}"
	fi
done
if [ -z "$targets" ]; then
	targets="incident router time"
fi

case $seconds in
''|*[!0-9]*) echo "$0: SECONDS must be a whole number" >&2; exit 2 ;;
esac

work=$(mktemp -d /tmp/ungcuu-fuzz-XXXXXX) || exit 1
failed=0
n=0
for t in $targets; do n=$((n + 1)); done
echo "1..$n"

# One target: its line (and, when it fails, the details) on stdout; 1 when
# it failed.
run_one() {
	t=$1
	bin=$build/tests/fuzz/fuzz_$t
	if [ ! -x "$bin" ]; then
		echo "not ok fuzz_$t # not built: $bin (CC=clang meson setup BUILD -Dfuzz=true)"
		return 1
	fi
	corpus=$work/$t/corpus
	mkdir -p "$corpus" "$work/$t/artifacts"
	if [ -d "$here/corpus/$t" ]; then
		cp "$here/corpus/$t"/* "$corpus"/ 2>/dev/null
	fi
	log=$work/$t/log
	# A dictionary of the input's words, when the target has one.
	set --
	if [ -f "$here/fuzz_$t.dict" ]; then
		set -- -dict="$here/fuzz_$t.dict"
	fi
	"$bin" -max_total_time="$seconds" -timeout=5 -rss_limit_mb=2048 \
		-print_final_stats=1 -artifact_prefix="$work/$t/artifacts/" "$@" \
		"$corpus" >"$log" 2>&1
	rc=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
	rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
	cov=$(grep -o 'cov: [0-9]*' "$log" | tail -n 1)
	files=$(ls "$corpus" | wc -l)
	if [ $rc -eq 0 ]; then
		echo "ok fuzz_$t # ${runs:-?} runs, ${rate:-?} exec/s, ${cov:-cov: ?}, corpus $files"
	else
		echo "not ok fuzz_$t # exit $rc after ${runs:-?} runs"
		for f in "$work/$t/artifacts"/*; do
			[ -e "$f" ] && echo "#   reproducer: $f"
		done
		grep -E '^(==[0-9]+==ERROR|SUMMARY|.*runtime error|#[0-9]+ 0x)' "$log" |
			head -n 20 | sed 's/^/#   /'
		echo "#   log: $log"
		return 1
	fi
}

jobs=${FUZZ_JOBS:-2}
case $jobs in
''|*[!0-9]*|0) jobs=2 ;;
esac
running=0
for t in $targets; do
	( run_one "$t" >"$work/$t.out" 2>&1; echo $? >"$work/$t.rc" ) &
	running=$((running + 1))
	if [ $running -ge "$jobs" ]; then
		wait
		running=0
	fi
done
wait
for t in $targets; do
	cat "$work/$t.out"
	[ "$(cat "$work/$t.rc")" = 0 ] || failed=1
done

# Keep the work directory only when something needs looking at.
if [ $failed -eq 0 ]; then
	rm -rf "$work"
fi
exit $failed
