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
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
