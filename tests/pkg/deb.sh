#!/bin/sh
# deb.sh - the Debian packages used the way a district's IT officer uses
# them, on this machine (root; systemd need not be PID 1). TAP on stdout.
#   build ungcuu and ungcuu-agent (tools/build-deb.sh, nocheck), lintian;
#   dpkg -i: the user, the instance, the 0600 password file, the conffile;
#   systemd-analyze verify on the installed units;
#   the unit's ExecStart (read from the installed unit file, only the port
#   swapped) as `ungcuu` from /, under the kernel's MDWE rule: health, the
#   web UI's login page, an incident filed through the API, a login; a YARA
#   sweep and import under MDWE; the agent enrolled and run as ungcuu-agent;
#   the system calls of both (strace) within their units' SystemCallFilter;
#   the same version again: nothing changes;
#   a version with a new migration (built here from a copy of the tree):
#   a copy taken first, the incident intact;
#   a version whose migration fails: dpkg says so, the database is byte for
#   byte the same dump, the server says it in its stderr (the journal), the
#   previous version goes back on and serves the same data;
#   purge: nothing left.
# Leaves nothing installed. About 3-4 minutes on 2 cores.
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
W=$(mktemp -d "${TMPDIR:-/tmp}/ungcuu-pkgtest.XXXXXX")
chmod 0755 "$W"
LOG=$W/log
DB=/var/lib/ungcuu/ungcuu.db
n=0
fails=0
server_pid=""

ok() {
	n=$((n + 1))
	echo "ok $n - $1"
}
not_ok() {
	n=$((n + 1))
	fails=$((fails + 1))
	echo "not ok $n - $1"
	echo "  # log:"
	tail -n 15 "$LOG" | sed 's/^/  # /'
}
# check DESC CMD...: one test case, the command's output in the log.
check() {
	d=$1
	shift
	echo "== $d" >>"$LOG"
	if "$@" >>"$LOG" 2>&1; then ok "$d"; else not_ok "$d"; fi
}

stop_server() {
	if [ -n "$server_pid" ]; then
		victim=$server_pid
		if [ -n "${traced:-}" ]; then # under strace: the server is its child
			victim=$(pgrep -P "$server_pid" | head -n 1)
		fi
		kill "${victim:-$server_pid}" 2>/dev/null
		wait "$server_pid" 2>/dev/null
		server_pid=""
		traced=""
	fi
}
purge() {
	dpkg --purge ungcuu ungcuu-agent >>"$LOG" 2>&1
}
cleanup() {
	stop_server
	if dpkg-query -W ungcuu >/dev/null 2>&1 || dpkg-query -W ungcuu-agent >/dev/null 2>&1; then
		purge
	fi
	rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

if [ "$(id -u)" != 0 ] || ! command -v dpkg-buildpackage >/dev/null; then
	echo "1..0 # SKIP needs root and dpkg-buildpackage"
	exit 0
fi
if dpkg-query -W -f='${Status}' ungcuu 2>/dev/null | grep -q installed; then
	echo "# ungcuu is installed on this machine: the test would replace it; not run"
	echo "not ok 1 - ungcuu already installed here (apt purge ungcuu first)"
	exit 1
fi

PORT=$(node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")
URL=http://127.0.0.1:$PORT
cc -Wall -Wextra -Werror -std=c17 -D_GNU_SOURCE -o "$W/mdwe" "$root/tests/pkg/mdwe.c" >>"$LOG" 2>&1
MDWE=$W/mdwe
if ! "$MDWE" "$MDWE" --probe; then
	echo "# kernel without PR_SET_MDWE: the server runs without it"
	MDWE=""
fi

as() { # as USER CMD...: from /, as systemd runs it (setpriv execs: a kill reaches it)
	u=$1
	shift
	(cd / && exec setpriv --reuid="$u" --regid="$u" --init-groups -- "$@")
}
unit_dir() {
	for d in /lib/systemd/system /usr/lib/systemd/system; do
		[ -f "$d/ungcuu.service" ] && echo "$d" && return
	done
}
# The installed unit's ExecStart, the listen port swapped for ours;
# `start_server trace FILE` runs it under strace -f (the system calls).
# shellcheck disable=SC2120 # called through check with "trace FILE"
start_server() {
	exec_start=$(sed -n 's/^ExecStart=//p' "$(unit_dir)/ungcuu.service")
	echo "ExecStart: $exec_start --listen 127.0.0.1:$PORT" >>"$LOG"
	tracer=""
	if [ "${1:-}" = trace ]; then
		tracer="strace -f -qq -o $2"
	fi
	# shellcheck disable=SC2086 # the unit's words, as systemd splits them
	(cd / && exec $tracer setpriv --reuid=ungcuu --regid=ungcuu --init-groups -- \
		$MDWE $exec_start --listen "127.0.0.1:$PORT") >>"$W/server.out" 2>>"$W/server.err" &
	server_pid=$!
	traced=${tracer:+yes}
	i=0
	while [ $i -lt 150 ]; do
		curl -fsS "$URL/api/v1/health" >/dev/null 2>&1 && return 0
		kill -0 "$server_pid" 2>/dev/null || break
		sleep 0.1
		i=$((i + 1))
	done
	cat "$W/server.err" >>"$LOG"
	return 1
}
schema() {
	sqlite3 "$DB" 'SELECT MAX(version) FROM schema_migrations'
}
# The database's content as text (the same dump: nothing changed in it).
dump() {
	sqlite3 "$DB" .dump | sha256sum | cut -d' ' -f1
}
# changelog_bump VERSION: a new top entry in the build copy's changelog.
changelog_bump() {
	cl=$W/work/ungcuu/debian/changelog
	{
		printf 'ungcuu (%s) bookworm; urgency=medium\n\n  * Test build (tests/pkg/deb.sh).\n\n' "$1"
		printf ' -- ungcuu tests <tests@invalid>  %s\n\n' "$(date -R)"
		cat "$cl"
	} >"$cl.new" && mv "$cl.new" "$cl"
}
# add_migration NAME SQL: a migration file listed last in meson.build.
add_migration() {
	printf '%s\n' "$2" >"$W/work/ungcuu/src/store/migrations/$1.sql"
	# the list ends with a line of its own: ")"
	sed -i "/^migrations = files(/,/^)\$/ s|^)\$|  'src/store/migrations/$1.sql',\n)|" \
		"$W/work/ungcuu/meson.build"
}

echo "# work directory $W, port $PORT"
export DEB_BUILD_OPTIONS=nocheck

# -- 1. build and lint ------------------------------------------------------
check "make deb's builder makes both packages from a clean copy" \
	"$root/tools/build-deb.sh" --keep "$W/work" "$W/v1"
V1=$(dpkg-parsechangelog -l "$root/debian/changelog" -S Version)
SRV1=$W/v1/ungcuu_${V1}_amd64.deb
AG1=$W/v1/ungcuu-agent_${V1}_amd64.deb
check "lintian: no errors on ungcuu and ungcuu-agent" lintian --fail-on error "$SRV1" "$AG1"
check "runtime dependencies come from the shared libraries" \
	sh -c "dpkg-deb -f '$SRV1' Depends | grep -q libmicrohttpd && dpkg-deb -f '$AG1' Depends | grep -q libcurl"

# -- 2. first install ---------------------------------------------------------
check "dpkg -i installs both packages" dpkg -i "$SRV1" "$AG1"
check "postinst printed where the one-time password is" \
	grep -q "/etc/ungcuu/admin-password" "$LOG"
check "the password file is root's, mode 0600, and holds the password" \
	sh -c '[ "$(stat -c %U:%a /etc/ungcuu/admin-password)" = root:600 ] &&
		grep -qiE "(mật khẩu|password).*: [A-Za-z0-9_-]{16,}" /etc/ungcuu/admin-password'
check "the instance belongs to the ungcuu system user, key 0600" \
	sh -c "getent passwd ungcuu | grep -q nologin && [ \"\$(stat -c %U $DB)\" = ungcuu ] &&
		[ \"\$(stat -c %U:%a $DB.key)\" = ungcuu:600 ]"
check "/etc/ungcuu/ungcuu.ini is a conffile" \
	sh -c "dpkg-query -W -f='\${Conffiles}' ungcuu | grep -q /etc/ungcuu/ungcuu.ini"
check "the web UI is under /usr/share/ungcuu/web" test -f /usr/share/ungcuu/web/index.html
check "systemd-analyze verify on the installed units" \
	sh -c "cd $(unit_dir) && systemd-analyze verify ungcuu.service ungcuu-backup.service \
		ungcuu-backup.timer ungcuu-agent.service ungcuu-agent.timer"
check "the agent's timer has a random delay" \
	grep -q '^RandomizedDelaySec=' "$(unit_dir)/ungcuu-agent.timer"

# -- 3. the installed server, as the unit runs it -------------------------------
STRACE=""
if command -v strace >/dev/null; then
	STRACE="trace $W/server.trace"
fi
# shellcheck disable=SC2086
check "the unit's ExecStart serves (as ungcuu, from /, ${MDWE:+memory W^X denied, }packaged config)" \
	start_server $STRACE
check "GET /api/v1/health" sh -c "curl -fsS $URL/api/v1/health | grep -q '\"ok\"\\|status'"
check "the web UI's login page, found without --web" \
	sh -c "curl -fsS $URL/ > $W/index.html && grep -q '<script' $W/index.html &&
		js=\$(grep -o 'assets/index-[A-Za-z0-9_-]*\\.js' $W/index.html | head -1) &&
		curl -fsS $URL/\$js | grep -q 'Đăng nhập'"
# A reporter and a focal point with API tokens (the CLI on the live database).
mk_token() { # USERNAME ROLE...
	tu=$1
	shift
	roles=""
	for r; do roles="$roles --role $r"; done
	# shellcheck disable=SC2086
	as ungcuu /usr/bin/ungcuu admin user add --db "$DB" --username "$tu" --org root $roles \
		>>"$LOG" 2>&1 || return 1
	as ungcuu /usr/bin/ungcuu admin token create --db "$DB" --username "$tu" 2>>"$LOG" | tail -n 1
}
TOKEN=$(mk_token canbo reporter focal)
login() { # a password login (Argon2id, on the login lane)
	pw=$(as ungcuu /usr/bin/ungcuu admin user set-password --db "$DB" --username canbo 2>>"$LOG" |
		grep -oE '[A-Za-z0-9_-]{16,}' | tail -n 1)
	curl -fsS -X POST -H 'Content-Type: application/json' \
		--data "{\"username\":\"canbo\",\"password\":\"$pw\"}" "$URL/api/v1/session" |
		grep -q '"username":"canbo"'
}
check "an API token for a reporter (ungcuu admin, as ungcuu)" sh -c "echo '$TOKEN' | grep -q '^ucu_'"
file_incident() {
	curl -fsS -X POST -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
		--data '{"title":"Kiểm thử gói: máy chủ thư bị dò mật khẩu","description":"Tệp nhật ký cho thấy đăng nhập sai liên tục.","detected_at":"'"$(date -u -d '-1 hour' +%Y-%m-%dT%H:%M:%SZ)"'","type":"intrusion"}' \
		"$URL/api/v1/incidents" >"$W/incident.json" &&
		node -e "const j=require('$W/incident.json'); if(!j.id) process.exit(1); console.log(j.id)" >"$W/incident.id"
}
check "an incident filed through the API" file_incident
INC=$(cat "$W/incident.id" 2>/dev/null)
incident_intact() {
	curl -fsS -H "Authorization: Bearer $TOKEN" "$URL/api/v1/incidents/$INC" |
		grep -q 'Kiểm thử gói: máy chủ thư bị dò mật khẩu'
}
check "the incident reads back" incident_intact
check "a password login" login
printf 'rule pkgtest { strings: $a = "ungcuu-pkgtest-marker" condition: $a }\n' >"$W/r.yar"
mkdir -p "$W/tree" && echo "x ungcuu-pkgtest-marker y" >"$W/tree/f.txt"
chmod -R a+rX "$W/r.yar" "$W/tree"
check "YARA rules imported and a YARA sweep${MDWE:+, both under MDWE} (libyara needs no W+X memory)" \
	sh -c "cd / && setpriv --reuid=ungcuu --regid=ungcuu --init-groups -- \
			$MDWE /usr/bin/ungcuu import yara $W/r.yar --db $DB &&
		setpriv --reuid=ungcuu --regid=ungcuu --init-groups -- \
			$MDWE /usr/bin/ungcuu sweep --json --rules $W/r.yar $W/tree | grep -q pkgtest"
check "ungcuu-agent enrols and sends its inventory as ungcuu-agent${MDWE:+ under MDWE}" \
	sh -c "cd / && setpriv --reuid=ungcuu-agent --regid=ungcuu-agent --init-groups -- \
			/usr/bin/ungcuu-agent enroll --server $URL --token $TOKEN --state /var/lib/ungcuu-agent &&
		${STRACE:+strace -f -qq -o $W/agent.trace} \
		setpriv --reuid=ungcuu-agent --regid=ungcuu-agent --init-groups -- \
			$MDWE /usr/bin/ungcuu-agent run --state /var/lib/ungcuu-agent"

# -- 4. the same version again ---------------------------------------------------
state() { # what must not move: files, password, config, schema, content
	# (the database's own files by name only: opening it may fold its
	# write-ahead log into it, which changes sizes and times, not content)
	(ls -l --time-style=+%s /var/lib/ungcuu /etc/ungcuu | grep -v -e ' ungcuu\.db' -e '^total '
	 ls /var/lib/ungcuu | grep '^ungcuu\.db$'
	 sha256sum /etc/ungcuu/*; schema; dump) 2>&1
}
stop_server
if [ -n "$STRACE" ]; then
	check "the server's system calls, as ungcuu, are all in its unit's SystemCallFilter" \
		python3 "$root/tests/pkg/syscalls.py" "$(unit_dir)/ungcuu.service" "$W/server.trace" /usr/bin/ungcuu
	check "the agent's system calls are all in its unit's SystemCallFilter" \
		python3 "$root/tests/pkg/syscalls.py" "$(unit_dir)/ungcuu-agent.service" "$W/agent.trace" \
		/usr/bin/ungcuu-agent
fi
state >"$W/before"
check "the same version installed again" dpkg -i "$SRV1"
state >"$W/after"
check "... changes nothing (no new instance, password, copy or migration)" diff "$W/before" "$W/after"

# -- 5. an upgrade with a new migration ---------------------------------------
add_migration 900_pkgtest "CREATE TABLE pkgtest_note (id TEXT PRIMARY KEY, body TEXT NOT NULL);"
changelog_bump "${V1}+pkgtest1"
check "a version with a new migration builds (reusing the build)" \
	"$root/tools/build-deb.sh" --rebuild "$W/work" "$W/v2"
SRV2=$W/v2/ungcuu_${V1}+pkgtest1_amd64.deb
FROM=$(schema)
check "the upgrade installs and migrates" dpkg -i "$SRV2"
check "the schema is at the new migration" sh -c "[ \"\$(sqlite3 $DB 'SELECT MAX(version) FROM schema_migrations')\" = 900 ]"
check "a copy of the old database was taken beside it first (with its key)" \
	sh -c "ls /var/lib/ungcuu/ungcuu-before-v$(printf %03d "$FROM")-*.db &&
		ls /var/lib/ungcuu/ungcuu-before-v$(printf %03d "$FROM")-*.db.key &&
		[ \"\$(sqlite3 /var/lib/ungcuu/ungcuu-before-v*.db 'SELECT MAX(version) FROM schema_migrations')\" = $FROM ]"
check "the upgraded server starts" start_server
check "the incident is intact after the upgrade" incident_intact
stop_server

# -- 6. an upgrade whose migration fails -------------------------------------
add_migration 901_pkgtest_ok "CREATE TABLE pkgtest_more (x INTEGER);"
add_migration 902_pkgtest_fail "INSERT INTO pkgtest_no_such_table VALUES (1);"
changelog_bump "${V1}+pkgtest2"
check "a version with a failing migration builds" \
	"$root/tools/build-deb.sh" --rebuild "$W/work" "$W/v3"
SRV3=$W/v3/ungcuu_${V1}+pkgtest2_amd64.deb
D0=$(dump)
echo "== dpkg -i $SRV3 (must fail)" >>"$LOG"
if dpkg -i "$SRV3" >"$W/fail.out" 2>&1; then
	cat "$W/fail.out" >>"$LOG"
	not_ok "dpkg -i of the failing version fails"
else
	cat "$W/fail.out" >>"$LOG"
	ok "dpkg -i of the failing version fails"
fi
check "... naming the migration and saying the database is unchanged" \
	sh -c "grep -q 902_pkgtest_fail $W/fail.out && grep -q 'unchanged\|giữ nguyên' $W/fail.out"
check "... the database is as it was (same dump, schema 900, nothing of 901)" \
	sh -c "[ \"\$(sqlite3 $DB .dump | sha256sum | cut -d' ' -f1)\" = $D0 ] &&
		[ \"\$(sqlite3 $DB 'SELECT MAX(version) FROM schema_migrations')\" = 900 ] &&
		! sqlite3 $DB 'SELECT 1 FROM pkgtest_more' 2>/dev/null"
: >"$W/server.err"
echo "== the failing version's ExecStart" >>"$LOG"
if start_server; then
	not_ok "the failing version's server refuses to start"
	stop_server
else
	server_pid=""
	ok "the failing version's server refuses to start"
fi
check "... saying why on stderr (the journal), the database unchanged" \
	sh -c "cat $W/server.err; grep -q 902_pkgtest_fail $W/server.err &&
		[ \"\$(sqlite3 $DB .dump | sha256sum | cut -d' ' -f1)\" = $D0 ]"
check "the previous version installs again over it" dpkg -i "$SRV2"
check "... and serves the old data" start_server
check "... the incident intact" incident_intact
stop_server

# -- 7. purge -----------------------------------------------------------------
check "apt purge: both packages purged without a question" \
	sh -c "dpkg --purge ungcuu ungcuu-agent </dev/null"
left() {
	for p in /var/lib/ungcuu /var/lib/ungcuu-agent /var/backups/ungcuu /etc/ungcuu \
		/usr/share/ungcuu /usr/bin/ungcuu /usr/bin/ungcuu-agent /usr/share/doc/ungcuu \
		/lib/systemd/system/ungcuu.service /lib/systemd/system/ungcuu-agent.timer; do
		[ -e "$p" ] && echo "left: $p"
	done
	find /etc/systemd/system -name 'ungcuu*' 2>/dev/null | sed 's/^/left: /'
	getent passwd ungcuu ungcuu-agent | sed 's/^/left user: /'
	dpkg-query -W ungcuu ungcuu-agent 2>/dev/null | sed 's/^/left package: /'
}
left >"$W/left"
check "... and nothing is left (files, units, users, data)" sh -c "cat $W/left; [ ! -s $W/left ]"
echo "1..$n"
[ "$fails" = 0 ]
