#!/bin/sh
# match.sh - the vulnerability matcher against its target: 1,000 synthetic
# hosts x 2,000 packages against a 100,000-entry feed in under 5 s and
# 500 MB (issue: vulnerabilities), and `ungcuu agent run` on this machine.
# Usage: tests/bench/match.sh [BIN]   (default build-release/ungcuu)
set -eu
BIN=${1:-build-release/ungcuu}
HOSTS=${MATCH_HOSTS:-1000}
PKGS=${MATCH_PKGS:-2000}
FEED=${MATCH_FEED:-100000}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
db="$tmp/m.db"
"$BIN" init --db "$db" --json > /dev/null
# A universe of 20,000 package names; each host has PKGS of them at version
# 1.<h mod 50>.0-1; each advisory names one package (so a host meets about
# 10,000 candidate advisories); 1 in 100 is fixed only in 2.0 and so hits
# every host that has the package, the rest were fixed long ago (1.0~) —
# roughly a hundred findings a host, as on a real, lightly patched fleet.
t0=$(date +%s.%N)
sqlite3 "$db" <<SQL
PRAGMA synchronous=OFF;
BEGIN;
WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < $HOSTS - 1)
INSERT INTO hosts (id, org_id, hostname, os_family, os_id, os_version, version, created_at, updated_at)
SELECT printf('00000000-0000-7000-8000-%012d', i), (SELECT id FROM orgs LIMIT 1),
       'host' || i, 'linux', 'debian', '12', 1, 0, 0 FROM n;
WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < $PKGS - 1)
INSERT INTO host_packages (host_id, ecosystem, name, version, arch, source)
SELECT h.id, 'dpkg', 'pkg' || ((CAST(substr(h.id, 25) AS INTEGER) * 7 + n.i * 13) % 20000),
       '1.' || (CAST(substr(h.id, 25) AS INTEGER) % 50) || '.0-1', 'amd64', ''
FROM hosts h, n;
WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < $FEED - 1)
INSERT INTO vulns (id, summary, cvss, severity, sources, updated_at)
SELECT 'SYN-' || i, 'synthetic', (i % 100) / 10.0, NULL, 'osv', 0 FROM n;
INSERT INTO vuln_affected (vuln_id, source, ecosystem, package, introduced, fixed)
SELECT id, 'osv', 'Debian:12', 'pkg' || (CAST(substr(id, 5) AS INTEGER) % 20000), '0',
       CASE WHEN CAST(substr(id, 5) AS INTEGER) % 100 = 0 THEN '2.0-1' ELSE '1.0~rc1-1' END
FROM vulns;
COMMIT;
SQL
t1=$(date +%s.%N)
/usr/bin/time -f '%e %M' -o "$tmp/time" "$BIN" admin rematch --db "$db" --json > "$tmp/out"
read secs kb < "$tmp/time"
opened=$(sed -n 's/.*"opened": \([0-9]*\).*/\1/p' "$tmp/out")
mb=$((kb / 1024))
printf '%-44s %10s %10s %8s\n' "matching ($HOSTS hosts x $PKGS pkgs, $FEED advisories)" \
	"${secs} s" "< 5 s" "$( [ "$(echo "$secs < 5" | bc)" = 1 ] && echo ok || echo MISS)"
printf '%-44s %10s %10s %8s\n' "matching peak memory" "${mb} MB" "< 500 MB" \
	"$( [ "$mb" -lt 500 ] && echo ok || echo MISS)"
printf '%-44s %10s\n' "findings opened" "$opened"
printf '%-44s %10.1f s\n' "(generating the synthetic data took)" "$(echo "$t1 - $t0" | bc)"
/usr/bin/time -f '%e %M' -o "$tmp/agent" "$BIN" agent run --dry-run > "$tmp/inv"
read asecs akb < "$tmp/agent"
npk=$(grep -c '"ecosystem"' "$tmp/inv" || true)
printf '%-44s %10s %10s\n' "agent run on this machine ($npk packages)" "${asecs} s" "$((akb / 1024)) MB"
