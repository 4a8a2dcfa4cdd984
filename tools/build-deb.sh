#!/bin/sh
# build-deb.sh [--keep WORK | --rebuild WORK] OUT - builds the Debian
# packages ungcuu and ungcuu-agent with dpkg-buildpackage from a clean copy
# of this tree (the files git tracks plus new ones it does not ignore:
# nothing built, no node_modules, no var/) and puts the .deb files in OUT.
#   --keep WORK     copy into WORK/ungcuu and keep it (and its build) after
#   --rebuild WORK  build WORK/ungcuu again as it now is, reusing its build
#                   directory (only what changed is compiled)
# DEB_BUILD_OPTIONS passes through (e.g. nocheck); parallel=2 by default.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
keep=""
rebuild=""
case "${1:-}" in
--keep) keep=$2; shift 2 ;;
--rebuild) rebuild=$2; shift 2 ;;
esac
[ $# = 1 ] || { echo "usage: build-deb.sh [--keep WORK | --rebuild WORK] OUT" >&2; exit 2; }
mkdir -p "$1"
out=$(cd "$1" && pwd)

if [ -n "$rebuild" ]; then
	work=$rebuild
else
	work=${keep:-$(mktemp -d "${TMPDIR:-/tmp}/ungcuu-deb.XXXXXX")}
	rm -rf "$work/ungcuu"
	mkdir -p "$work/ungcuu"
	if git -C "$root" rev-parse --git-dir >/dev/null 2>&1; then
		# Files deleted but not yet committed are left out.
		git -C "$root" ls-files -z --cached --others --exclude-standard |
			(cd "$root" && xargs -0 sh -c 'for f; do
				if [ -e "$f" ] || [ -L "$f" ]; then printf "%s\0" "$f"; fi
			done' sh) |
			tar -C "$root" --null -T - -cf - | tar -C "$work/ungcuu" -xf -
	else
		tar -C "$root" --exclude=./build --exclude='./build-*' --exclude=./var \
			--exclude=./dist --exclude=node_modules --exclude=./web/dist -cf - . |
			tar -C "$work/ungcuu" -xf -
	fi
fi

src=$work/ungcuu
rm -f "$work"/*.deb "$work"/*.changes "$work"/*.buildinfo
export DEB_BUILD_OPTIONS="${DEB_BUILD_OPTIONS:+$DEB_BUILD_OPTIONS }parallel=${PARALLEL:-2}"
if [ -n "$rebuild" ]; then
	# dh skips the build when its stamp is there: remove it, keep the rest.
	rm -f "$src/debian/debhelper-build-stamp"
	(cd "$src" && dpkg-buildpackage -b -us -uc -nc)
else
	(cd "$src" && dpkg-buildpackage -b -us -uc)
fi
mv "$work"/*.deb "$out"/
rm -f "$work"/*.changes "$work"/*.buildinfo
if [ -z "$keep" ] && [ -z "$rebuild" ]; then
	rm -rf "$work"
fi
ls "$out"/*.deb
