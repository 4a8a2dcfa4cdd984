#!/bin/sh
# install-deps.sh PKG... - installs the Debian packages that are missing
# (apt-get as root), so `make run` and `make check` work on a fresh Debian 12.
# Installs nothing when everything is there; never touches installed packages.
set -eu
missing=""
for p in "$@"; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed"; then
		missing="$missing $p"
	fi
done
[ -z "$missing" ] && exit 0
echo "ungcuu: cài các gói còn thiếu / installing missing packages:$missing"
if [ "$(id -u)" != 0 ]; then
	echo "ungcuu: cần quyền root / needs root: sudo apt-get install$missing" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
# The daemons these packages bring (PostgreSQL, etcd, HAProxy) are not
# started by the install: every test starts its own on loopback and stops
# it. Debian's policy-rc.d hook says so for this install only, when the
# machine has none of its own.
policy=/usr/sbin/policy-rc.d
if [ ! -e "$policy" ]; then
	printf '#!/bin/sh\nexit 101\n' > "$policy"
	chmod 755 "$policy"
	trap 'rm -f "$policy"' EXIT INT TERM
fi
# Another install (unattended-upgrades, a second make) may hold apt's locks:
# wait for it (up to 10 minutes) instead of failing.
wait_lock="-o DPkg::Lock::Timeout=600"
i=0
# shellcheck disable=SC2086
until apt-get update -qq $wait_lock; do
	i=$((i + 1))
	[ "$i" -ge 60 ] && exit 1
	echo "ungcuu: apt đang bận, chờ / apt is busy, waiting" >&2
	sleep 10
done
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $wait_lock $missing >/dev/null
