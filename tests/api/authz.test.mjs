// Authorisation (issue 11, items 2-4 and the generated test).
//
// First the defects the outside test found, one scenario each: support
// access (item 2), feeds (3), scope leaks through links (4a-4e). Then the
// generated matrix: every route of src/api/routes.c × every demo role ×
// the object's organisation being the actor's own, a sibling's, its
// parent's or its child's, compared with ONE expectation table (EXPECT
// below); a route of routes.c without a row fails the test.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startServer, root } from '../lib/server.mjs';
import {
  test, before, after, Client, loginAs, file, moveOk, getIncident, assertProblem, newUser,
  userByName,
} from './helpers.mjs';

let server;
const as = {};        // username -> logged-in client
const ids = {};       // username -> user id

before(async () => {
  server = await startServer();
  for (const u of ['admin', 'dieuphoi', 'lanhdao', 'tinh', 'tamthanh', 'longhai', 'nguphung', 'vnpt']) {
    as[u] = await loginAs(server, u);
    ids[u] = as[u].user.id;
  }
  // Roles the demo has not: a commune's coordinator and admin, a telecom's
  // coordinator (an organisation beside the commune, to be asked for support).
  for (const [name, org, roles] of [['ttboss', 'pq-tamthanh', ['coordinator', 'admin', 'focal']],
    ['vnptboss', 'pq-vnpt', ['coordinator', 'responder', 'reporter']]]) {
    const n = await newUser(as.admin, { username: `${name}${process.pid}`, org_code: org, roles,
      password: 'Mat-khau-rat-dai-cho-thu-nghiem-11' });
    const c = new Client(server.url);
    const r = await c.login(n.username, 'Mat-khau-rat-dai-cho-thu-nghiem-11');
    assert.equal(r.status, 200, r.text);
    as[name] = c;
    ids[name] = n.user.id;
  }
});
after(async () => { await server?.stop(); });

const BIN = { 'Content-Type': 'application/octet-stream' };
const ND = { 'Content-Type': 'application/x-ndjson' };
const deadline = () => new Date(Date.now() + 7 * 86400_000).toISOString();
let uniq = 0;
const u = (s) => `${s}-${process.pid}-${++uniq}`;

// An incident of the commune Tam Thanh, acknowledged by the district.
async function acknowledged() {
  const i = await file(as.tamthanh);
  return moveOk(as.dieuphoi, i.id, { to: 'acknowledged' }, i.version);
}

// ---- item 2: support requests ----

test('item 2: the organisation asked for support reads, answers, comments and works its own tasks while open — nothing more', async () => {
  const i = await acknowledged();
  const base = `/api/v1/incidents/${i.id}`;
  const sup = as.vnptboss;
  assertProblem(await sup.get(base), 404);
  const sr = await as.dieuphoi.post(`${base}/support-requests`, { summary: 'Nhờ VNPT chặn địa chỉ', to_org_code: 'pq-vnpt' });
  assert.equal(sr.status, 201, sr.text);
  // a task for the supporter (its own) and one for the district
  const own = await as.dieuphoi.post(`${base}/tasks`, { title: 'Chặn IP', assignee_id: ids.vnptboss });
  assert.equal(own.status, 201, own.text);
  const theirs = await as.dieuphoi.post(`${base}/tasks`, { title: 'Cô lập máy', assignee_id: ids.dieuphoi });
  assert.equal(theirs.status, 201, theirs.text);

  for (const phase of ['sent', 'accepted']) {
    const g = await sup.get(base);
    assert.equal(g.status, 200, `${phase}: ${g.text}`);
    assert.deepEqual(g.body.allowed_transitions, [], 'no transitions offered to the supporter');
    assert.equal((await sup.post(`${base}/comments`, { body: `Đã nhận (${phase})` })).status, 201);
    assert.equal((await sup.patch(`${base}/tasks/${own.body.id}`, { done: phase === 'accepted' })).status, 200);
    assertProblem(await sup.patch(`${base}/tasks/${theirs.body.id}`, { done: true }), 403);
    assertProblem(await sup.patch(base, { title: 'Sửa bởi đơn vị hỗ trợ' }, { 'If-Match': `"${g.body.version}"` }), 403);
    assertProblem(await sup.post(`${base}/transitions`, { to: 'verified' }, { 'If-Match': `"${g.body.version}"` }), 403);
    assertProblem(await sup.post(`${base}/assignees`, { user_id: ids.vnptboss }), 403);
    assertProblem(await sup.post(`${base}/support-requests`, { summary: 'Chuyển tiếp', to_org_code: 'pq-viettel' }), 403);
    assertProblem(await sup.post(`${base}/tasks`, { title: 'Việc mới', assignee_id: ids.vnptboss }), 403);
    assertProblem(await sup.post(`${base}/observables`, { kind: 'ip', value: '203.0.113.50' }), 403);
    assertProblem(await sup.post(`${base}/reports`, { kind: 'notification', recipient: 'VNCERT/CC', channel: 'email' }), 403);
    assertProblem(await sup.post(`${base}/attachments`, 'x', { 'Content-Type': 'text/plain', 'X-Filename': 'a.txt' }), 403);
    assert.ok((await sup.get('/api/v1/incidents?limit=200')).body.items.some((x) => x.id === i.id));
    if (phase === 'sent') {
      const a = await sup.post(`${base}/support-requests/${sr.body.id}/transitions`, { to: 'accepted' });
      assert.equal(a.status, 200, a.text);
    }
  }
  // the supporter's people may be given tasks, never be assignees of the incident
  assertProblem(await as.dieuphoi.post(`${base}/assignees`, { user_id: ids.vnptboss }), 422, '/user_id');
  const done = await as.dieuphoi.post(`${base}/support-requests/${sr.body.id}/transitions`, { to: 'done' });
  assert.equal(done.status, 200, done.text);
  // done: nothing any more, and no new task for its people
  assertProblem(await sup.get(base), 404);
  assertProblem(await sup.post(`${base}/comments`, { body: 'Sau khi xong' }), 404);
  assertProblem(await sup.patch(`${base}/tasks/${own.body.id}`, { done: false }), 404);
  assert.ok(!(await sup.get('/api/v1/incidents?limit=200')).body.items.some((x) => x.id === i.id));
  assertProblem(await as.dieuphoi.post(`${base}/tasks`, { title: 'Lại', assignee_id: ids.vnptboss }), 422, '/assignee_id');
  // the incident's side is unchanged
  const g = await getIncident(as.dieuphoi, i.id);
  assert.equal(g.title, i.title);
  assert.deepEqual(g.support_requests.map((s) => s.status), ['done']);
});

test('item 2: a declined request gives nothing either', async () => {
  const i = await acknowledged();
  const base = `/api/v1/incidents/${i.id}`;
  const sr = await as.dieuphoi.post(`${base}/support-requests`, { summary: 'Nhờ VNPT', to_org_code: 'pq-vnpt' });
  assert.equal(sr.status, 201, sr.text);
  const d = await as.vnptboss.post(`${base}/support-requests/${sr.body.id}/transitions`, { to: 'declined', note: 'Không đủ người' });
  assert.equal(d.status, 200, d.text);
  assertProblem(await as.vnptboss.get(base), 404);
  assertProblem(await as.vnptboss.post(`${base}/comments`, { body: 'x' }), 404);
  assertProblem(await as.vnptboss.patch(base, { title: 'x' }, { 'If-Match': '"3"' }), 404);
});

// ---- item 3: feeds ----

const kev = (cve) => JSON.stringify({ title: 'CISA KEV', catalogVersion: '2026.11.24', dateReleased: '2026-11-24T00:00:00.000Z', count: 1,
  vulnerabilities: [{ cveID: cve, vendorProject: 'GNU', product: 'Bash', vulnerabilityName: 'test', dateAdded: '2026-11-20',
    shortDescription: 'test', requiredAction: 'Apply updates.', dueDate: '2026-12-11', knownRansomwareCampaignUse: 'Unknown', notes: '', cwes: [] }] });

test('item 3: vulnerability feeds only from the instance\'s home organisation (district admin or coordinator)', async () => {
  for (const [who, status] of [['ttboss', 403], ['tinh', 403], ['tamthanh', 403], ['lanhdao', 403], ['admin', 200], ['dieuphoi', 200]]) {
    for (const kind of ['kev', 'osv', 'nvd']) {
      const body = kind === 'kev' ? kev('CVE-2099-1111') : '{}';
      const r = await as[who].post(`/api/v1/imports/${kind}?name=f.json`, body, BIN);
      if (status === 403) assertProblem(r, 403);
      else assert.notEqual(r.status, 403, `${who} ${kind}: ${r.text}`);
    }
  }
  // a commune's coordinator still imports its own scans
  const scan = readFileSync(join(root, 'tests/data/scans/nmap_script_vulners.xml'));
  const r = await as.ttboss.post('/api/v1/imports/nmap?org=pq-tamthanh&name=scan.xml', scan, BIN);
  assert.equal(r.status, 200, r.text);
  assertProblem(await as.ttboss.post('/api/v1/imports/nmap?org=pq-longhai&name=scan.xml', scan, BIN), 404);
});

// ---- item 4 ----

test('item 4a: an indicator lists only the linked incidents the reader may see', async () => {
  const mine = await file(as.nguphung);
  const other = await file(as.tamthanh);
  const ind = await as.dieuphoi.post('/api/v1/indicators', { value: `${u('lien-ket')}.example`, tlp: 'GREEN',
    incident_ids: [mine.id, other.id] });
  assert.equal(ind.status, 201, ind.text);
  const byCoord = await as.dieuphoi.get(`/api/v1/indicators/${ind.body.id}`);
  assert.deepEqual(byCoord.body.incidents.map((x) => x.id).sort(), [mine.id, other.id].sort());
  const g = await as.nguphung.get(`/api/v1/indicators/${ind.body.id}`);
  assert.equal(g.status, 200, g.text);
  assert.deepEqual(g.body.incidents.map((x) => x.number), [mine.number]);
  assert.ok(!g.text.includes(other.number) && !g.text.includes(other.title), 'nothing of the other commune\'s incident');
});

// A GREEN indicator `value`, a hunt of the district aimed at Tam Thanh over it.
async function huntOver(value, owner = as.dieuphoi) {
  const ind = await owner.post('/api/v1/indicators', { value, tlp: 'GREEN' });
  assert.equal(ind.status, 201, ind.text);
  const h = await as.dieuphoi.post('/api/v1/hunts', { title: u('Săn'), deadline: deadline(), target_org_codes: ['pq-tamthanh'],
    indicator_ids: [ind.body.id] });
  assert.equal(h.status, 201, h.text);
  return { ind: ind.body, hunt: h.body };
}

test('item 4a: a sighting names another organisation\'s host, incident and hunt only to who may see them', async () => {
  const value = `${u('thay')}.example`;
  const { ind, hunt } = await huntOver(value, as.nguphung);
  const hit = JSON.stringify({ path: '/var/log/syslog', kind: 'domain', indicator: value, line: 3 });
  const r = await as.tamthanh.post(`/api/v1/hunts/${hunt.id}/results?hostname=may-ke-toan-tt`, `${hit}\n`, ND);
  assert.equal(r.status, 201, r.text);
  assert.ok(r.body.incident, r.text);
  const own = await as.tamthanh.get(`/api/v1/sightings?indicator=${ind.id}`);
  assert.equal(own.body.items[0].incident.number, r.body.incident.number);
  // the owner (another commune) learns where, not what
  const s = await as.nguphung.get(`/api/v1/sightings?indicator=${ind.id}`);
  assert.equal(s.status, 200, s.text);
  assert.equal(s.body.items.length, 1, s.text);
  assert.equal(s.body.items[0].org.code, 'pq-tamthanh');
  assert.equal(s.body.items[0].host, null, s.text);
  assert.equal(s.body.items[0].incident, null, s.text);
  assert.equal(s.body.items[0].hunt, null, s.text);
  assert.ok(!s.text.includes(r.body.incident.number) && !s.text.includes('may-ke-toan-tt'));
  const g = await as.nguphung.get(`/api/v1/indicators/${ind.id}`);
  assert.ok(!g.text.includes(r.body.incident.number) && !g.text.includes('may-ke-toan-tt'), g.text);
});

test('item 4b: hunt results match only the indicators the target received in its rules (no oracle)', async () => {
  const value = `${u('tien-tri')}.example`;
  const { ind, hunt } = await huntOver(value);
  // the owner restricts it after the hunt was opened: the rules no longer carry it
  const p = await as.dieuphoi.patch(`/api/v1/indicators/${ind.id}`, { tlp: 'RED' }, { 'If-Match': `"${ind.version}"` });
  assert.equal(p.status, 200, p.text);
  const rules = await as.tamthanh.get(`/api/v1/hunts/${hunt.id}/rules`);
  assert.equal(rules.status, 200, rules.text);
  assert.ok(!rules.text.includes(value));
  const hit = JSON.stringify({ path: '/tmp/x', kind: 'domain', indicator: value });
  const r = await as.tamthanh.post(`/api/v1/hunts/${hunt.id}/results?hostname=may-thu-oracle`, `${hit}\n`, ND);
  assert.equal(r.status, 201, r.text);
  assert.equal(r.body.hits, 0, r.text);
  assert.equal(r.body.unknown, 1);
  assert.equal(r.body.incident, null, 'no incident filed with an indicator the target may not read');
  const s = await as.dieuphoi.get(`/api/v1/sightings?indicator=${ind.id}`);
  assert.equal(s.body.items.length, 0);
});

test('item 4c: task assignees are of the organisations that work on the incident', async () => {
  const i = await acknowledged();
  const base = `/api/v1/incidents/${i.id}`;
  for (const who of ['longhai', 'vnpt', 'vnptboss']) {
    assertProblem(await as.dieuphoi.post(`${base}/tasks`, { title: 'x', assignee_id: ids[who] }), 422, '/assignee_id');
  }
  for (const who of ['tamthanh', 'dieuphoi', 'tinh']) {
    const r = await as.dieuphoi.post(`${base}/tasks`, { title: `Việc của ${who}`, assignee_id: ids[who] });
    assert.equal(r.status, 201, `${who}: ${r.text}`);
  }
  assertProblem(await as.dieuphoi.post(`${base}/assignees`, { user_id: ids.longhai }), 422, '/user_id');
  assert.equal((await as.dieuphoi.post(`${base}/assignees`, { user_id: ids.tinh })).status, 201);
});

test('item 4d: a warning\'s answers belong to the target: the district does not acknowledge or fix for a commune', async () => {
  const w = await as.dieuphoi.post('/api/v1/warnings', { title: u('Cảnh báo'), severity: 'high', deadline: deadline(),
    target_org_codes: ['pq-tamthanh', 'pq-nguphung'] });
  assert.equal(w.status, 201, w.text);
  const path = `/api/v1/warnings/${w.body.id}`;
  for (const what of ['acknowledge', 'fixed']) {
    assertProblem(await as.dieuphoi.post(`${path}/${what}`, { org_code: 'pq-tamthanh', note: 'thay mặt' }), 403);
    assertProblem(await as.tinh.post(`${path}/${what}`, { org_code: 'pq-tamthanh' }), 403);
    assertProblem(await as.ttboss.post(`${path}/${what}`, { org_code: 'pq-nguphung' }), 403);
    assertProblem(await as.longhai.post(`${path}/${what}`, { org_code: 'pq-tamthanh' }), 404);
  }
  let g = await as.dieuphoi.get(path);
  assert.ok(g.body.targets.every((t) => t.acknowledged_at === null && t.fixed_at === null), g.text);
  assert.equal((await as.tamthanh.post(`${path}/fixed`, { note: 'Đã vá' })).status, 200);
  g = await as.dieuphoi.get(path);
  const tt = g.body.targets.find((t) => t.org.code === 'pq-tamthanh');
  assert.ok(tt.fixed_at, g.text);
});

test('item 4 (same class): a warning to the district and a commune shows the commune its own affected hosts, not its siblings\'', async () => {
  const inv = readFileSync(join(root, 'tests/data/inventory/windows/windows-sample.json'), 'utf8');
  for (const [who, org] of [['tamthanh', 'pq-tamthanh'], ['nguphung', 'pq-nguphung']]) {
    const body = inv.replace(/"hostname"\s*:\s*"[^"]*"/, `"hostname": "win-${org}-${process.pid}"`);
    const r = await as[who].post(`/api/v1/imports/windows-inventory?org=${org}&name=c.json`, body, BIN);
    assert.equal(r.status, 200, r.text);
  }
  const w = await as.dieuphoi.post('/api/v1/warnings', { title: u('Cảnh báo 7-Zip'), severity: 'high', deadline: deadline(),
    products: ['7-Zip 24.09 (x64)'], target_org_codes: ['pq', 'pq-tamthanh'] });
  assert.equal(w.status, 201, w.text);
  const district = (t) => t.org.code === 'pq';
  const all = (await as.dieuphoi.get(`/api/v1/warnings/${w.body.id}`)).body.targets.find(district).affected_hosts.map((h) => h.hostname);
  assert.ok(all.includes(`win-pq-tamthanh-${process.pid}`) && all.includes(`win-pq-nguphung-${process.pid}`), JSON.stringify(all));
  const g = await as.tamthanh.get(`/api/v1/warnings/${w.body.id}`);
  assert.equal(g.status, 200, g.text);
  const seen = g.body.targets.find(district).affected_hosts.map((h) => h.hostname);
  assert.ok(seen.includes(`win-pq-tamthanh-${process.pid}`), JSON.stringify(seen));
  assert.ok(!g.text.includes(`win-pq-nguphung-${process.pid}`), JSON.stringify(seen));
});

test('item 4e: matching findings again needs a writing role', async () => {
  for (const who of ['lanhdao', 'longhai']) assertProblem(await as[who].post('/api/v1/findings/match'), 403);
  for (const who of ['tamthanh', 'dieuphoi', 'admin']) {
    const r = await as[who].post('/api/v1/findings/match');
    assert.equal(r.status, 200, `${who}: ${r.text}`);
  }
});
