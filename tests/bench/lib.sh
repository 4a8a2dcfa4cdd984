# shellcheck shell=bash
# tests/bench/lib.sh - what the benches that drive servers with wrk share
# (run.sh, limits.sh, pg.sh source it after defining die).

# A free TCP port on loopback (the kernel's choice).
free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' ||
		die "no free port"
}

# wait_up PID URL [ok]: until the server answers at URL (any status, HTTP
# or HTTPS; with "ok" a 2xx only), at most 10 s; fails at once when PID has
# exited.
wait_up() {
	local flags=-sk
	[ "${3:-}" = ok ] && flags=-skf
	for _ in $(seq 200); do
		kill -0 "$1" 2>/dev/null || return 1
		curl "$flags" -o /dev/null --max-time 1 "$2" && return 0
		sleep 0.05
	done
	return 1
}

# From a saved wrk report (wrk --latency): requests per second, the 99th
# percentile latency in milliseconds, and the non-2xx/3xx answers.
wrk_rps() { awk '/^Requests\/sec:/ { print $2 }' "$1"; }
wrk_p99_ms() {
	awk '$1 == "99%" {
		v = $2
		if (v ~ /us$/) { sub(/us$/, "", v); printf "%.3f\n", v / 1000 }
		else if (v ~ /ms$/) { sub(/ms$/, "", v); printf "%.3f\n", v }
		else if (v ~ /m$/) { sub(/m$/, "", v); printf "%.3f\n", v * 60000 }
		else if (v ~ /s$/) { sub(/s$/, "", v); printf "%.3f\n", v * 1000 }
	}' "$1"
}
wrk_bad() { awk -F': ' '/Non-2xx or 3xx responses/ { n = $2 } END { print n + 0 }' "$1"; }
