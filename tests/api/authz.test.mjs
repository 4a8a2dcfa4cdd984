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
import { generateKeyPairSync } from 'node:crypto';
import { join } from 'node:path';
import { startServer, root, freePort } from '../lib/server.mjs';
import { syslogConfig, udp, until } from '../lib/syslog.mjs';
import {
  test, before, after, Client, loginAs, file, moveOk, getIncident, assertProblem, newUser,
  userByName, run,
} from './helpers.mjs';

let server;
let syslogPort;   // h/syslog: the alerts of each set come from its own sender address
const as = {};        // username -> logged-in client
const ids = {};       // username -> user id

before(async () => {
  syslogPort = await freePort();
  server = await startServer({ args: ['--config', syslogConfig(syslogPort, {
    sources: [['127.0.0.2', 'pq-tamthanh'], ['127.0.0.3', 'pq']] })] });
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

test('item 2 (same class): only the asked organisation itself accepts or declines, not one above it on its behalf', async () => {
  const i = await acknowledged();
  const base = `/api/v1/incidents/${i.id}`;
  const sr = await as.dieuphoi.post(`${base}/support-requests`, { summary: 'Nhờ VNPT', to_org_code: 'pq-vnpt' });
  assert.equal(sr.status, 201, sr.text);
  const g = await getIncident(as.dieuphoi, i.id);
  assert.deepEqual(g.support_requests[0].allowed_transitions, [], 'nothing offered to the district for VNPT');
  for (const who of ['dieuphoi', 'tinh']) {
    for (const to of ['accepted', 'declined']) {
      assertProblem(await as[who].post(`${base}/support-requests/${sr.body.id}/transitions`, { to }), 403);
    }
  }
  const mine = await getIncident(as.vnptboss, i.id);
  assert.deepEqual(mine.support_requests[0].allowed_transitions, ['accepted', 'declined']);
  const a = await as.vnptboss.post(`${base}/support-requests/${sr.body.id}/transitions`, { to: 'accepted' });
  assert.equal(a.status, 200, a.text);
  // done: either side
  const d = await as.dieuphoi.post(`${base}/support-requests/${sr.body.id}/transitions`, { to: 'done' });
  assert.equal(d.status, 200, d.text);
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

test('item 4c (same class): bulk assignment follows the one assignment\'s rules, item by item', async () => {
  const i = await acknowledged();
  const bulk = (c, user) => c.post('/api/v1/incidents/bulk', { action: 'assign', user_id: user, items: [{ id: i.id, version: i.version }] });
  // A person of a sibling commune or of the operator is refused (as an unknown person), and nothing changes.
  for (const who of ['longhai', 'vnptboss']) {
    const r = await bulk(as.dieuphoi, ids[who]);
    assert.ok(r.status === 422 || (r.status === 200 && r.body.results[0].ok === false), `${who}: ${r.text}`);
  }
  // Who may not see the incident is told it is not found; a leader may not assign.
  const sib = await bulk(as.longhai, ids.longhai);
  assert.ok(sib.status === 422 || sib.body.results[0].error.code === 'not_found', sib.text);
  assert.ok(!sib.text.includes(i.title) && !sib.text.includes(i.number), sib.text);
  const lead = await bulk(as.lanhdao, ids.dieuphoi);
  assert.equal(lead.body.results[0].error.code, 'forbidden', lead.text);
  assert.equal((await as.dieuphoi.get(`/api/v1/incidents/${i.id}`)).body.version, i.version, 'nothing changed');
  // A person above the commune may be assigned.
  const good = await bulk(as.dieuphoi, ids.tinh);
  assert.equal(good.body.results[0].ok, true, good.text);
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

// ---- the generated matrix ----
//
// Columns: who asks. The object sets: C belongs to the commune Tam Thanh, D to
// the district (pq). So the object's organisation is, for each column:
//             admin  dieuphoi lanhdao tinh   tamthanh ttboss longhai nguphung
//   C         child  child    child   child  own      own    sibling sibling
//   D         own    own      own     child  parent   parent parent  parent
// (tinh is the province, above both.) vnptboss (coordinator+responder of
// the telecom VNPT, beside the communes) is asked for support on each set's
// incident (the request stays open): it reads that incident, comments, and
// nothing else. Roles: admin admin; dieuphoi
// coordinator+responder; lanhdao leader (read-only); tinh coordinator+
// responder; tamthanh reporter+focal; ttboss coordinator+admin+focal of the
// commune; longhai reporter; nguphung reporter+focal.
const COLS = ['admin', 'dieuphoi', 'lanhdao', 'tinh', 'tamthanh', 'ttboss', 'longhai', 'nguphung', 'vnptboss'];
const SETS = { C: { org: 'pq-tamthanh', owner: 'tamthanh' }, D: { org: 'pq', owner: 'dieuphoi' } };

// The route table of routes.c (the OpenAPI test reads it the same way).
function routesFromSource() {
  const src = readFileSync(join(root, 'src', 'api', 'routes.c'), 'utf8');
  return [...src.matchAll(/\{\s*"(GET|POST|PUT|PATCH|DELETE)"\s*,\s*"(\/api\/[^"]*)"/g)].map((m) => `${m[1]} ${m[2]}`);
}

const PW = 'Mat-khau-rat-dai-cho-thu-nghiem-11';
const passwordOf = (who) => server.login(who)?.password ?? PW;
const usernameOf = (who) => server.login(who)?.username ?? `${who}${process.pid}`;
const ok = (r, what) => { assert.ok(r.status >= 200 && r.status < 300, `${what}: ${r.status} ${r.text.slice(0, 300)}`); return r.body; };
const agentKey = () => Buffer.from(Array.from({ length: 32 }, () => Math.floor(Math.random() * 256))).toString('hex');

// What each set holds, made in `before` below by the set's own side.
const obj = { C: {}, D: {} };
let vulnId;

async function freshIncident(S) {
  const i = await file(as[SETS[S].owner]);
  return moveOk(as.dieuphoi, i.id, { to: 'acknowledged' }, i.version);
}
async function freshIndicator(S, tlp = 'AMBER') {
  return ok(await as[SETS[S].owner].post('/api/v1/indicators', { value: `${u('chi-bao')}.example`, tlp }), 'indicator');
}
async function freshHunt(S) {
  const issuer = S === 'C' ? as.ttboss : as.dieuphoi;
  return ok(await issuer.post('/api/v1/hunts', { title: u('Săn'), deadline: deadline(), target_org_codes: [SETS[S].org],
    indicator_ids: [obj[S].green.id] }), 'hunt');
}
// A Mẫu 05 draft of set S for a year of its own (one per organisation,
// period and year), filed by the set's own side.
// Years run from 2017 to next year: eleven of each period per organisation
// (the demo files the district's Mẫu 05 of this year: the POST case, which
// takes years, makes nine, from 2017).
const mau05Year = { year: { C: 2016, D: 2016 }, half: { C: 2016, D: 2016 } };
async function freshMau05(S) {
  return ok(await as[SETS[S].owner].post('/api/v1/plan/mau05', { period: 'half', year: ++mau05Year.half[S], org_code: SETS[S].org }), 'mau05');
}
// Mẫu 05 for the approval routes (h/duty): an organisation has one per
// period and year (2017 to next year), so few — a draft and one awaiting
// approval per set, put back in that state before each call, and a new one
// only after an approval sent it.
const m5 = { draft: {}, sub: {} };
async function newMau05(S) {
  if (mau05Year.half[S] < 2027) return freshMau05(S);
  for (;;) {
    const r = await as[SETS[S].owner].post('/api/v1/plan/mau05', { period: 'year', year: ++mau05Year.year[S], org_code: SETS[S].org });
    if (r.status !== 409 || mau05Year.year[S] >= 2027) return ok(r, 'mau05');
    // the period's report exists (an earlier test): use it unless it was sent
    const id = /[0-9a-f-]{36}/.exec(r.body.detail)?.[0];
    const m = id ? await m5get(id) : null;
    if (m && m.status !== 'sent') return m;
  }
}
const m5get = async (id) => ok(await as.lanhdao.get(`/api/v1/plan/mau05/${id}`), 'mau05');
async function draftMau05(S) {
  if (!m5.draft[S]) m5.draft[S] = await newMau05(S);
  let m = await m5get(m5.draft[S].id);
  if (m.status === 'submitted') m = ok(await as.lanhdao.req('POST', `/api/v1/plan/mau05/${m.id}/return`, { reason: 'Làm lại' }, im(m.version)), 'return');
  return m;
}
async function submittedMau05(S) {
  let m = m5.sub[S] ? await m5get(m5.sub[S].id) : null;
  if (!m || m.status === 'sent') m = m5.sub[S] = await newMau05(S);
  if (m.status === 'draft') m = ok(await as[SETS[S].owner].req('POST', `/api/v1/plan/mau05/${m.id}/submit`, undefined, im(m.version)), 'submit');
  return m;
}
const version = async (path) => ok(await as.dieuphoi.get(path), path).version;
const im = (v) => ({ 'If-Match': `"${v}"` });

// One request per route (or per variant of a route): set says whether it is
// about an object of C or D (else it is asked once, with no set). req(S,
// who) returns [method, path, body, headers] and may make fresh objects first.
const sessions = {};
const CASES = [
  ['GET /api/v1/health', false, () => ['GET', '/api/v1/health']],
  ['GET /api/v1/openapi.json', false, () => ['GET', '/api/v1/openapi.json']],
  ['GET /api/v1/meta', false, () => ['GET', '/api/v1/meta']],
  ['POST /api/v1/session', false, (S, who) => {
    sessions[who] = new Client(server.url);
    return ['POST', '/api/v1/session', { username: usernameOf(who), password: passwordOf(who) }, {}, sessions[who]];
  }],
  ['GET /api/v1/session', false, () => ['GET', '/api/v1/session']],
  ['DELETE /api/v1/session', false, (S, who) => ['DELETE', '/api/v1/session', undefined, {}, sessions[who]]],
  // A second factor's step is anonymous: a made-up challenge is refused alike.
  ['POST /api/v1/session/second-factor', false, () => ['POST', '/api/v1/session/second-factor',
    { challenge: 'khong-co-thach-thuc', code: '123456' }, {}, new Client(server.url)]],
  // One's own account, for every role: asked so that nothing changes (a new
  // password that the rules refuse; codes that are wrong).
  ['POST /api/v1/account/password', false, (S, who) => ['POST', '/api/v1/account/password',
    { current_password: passwordOf(who), new_password: '12345678' }]],
  ['POST /api/v1/account/totp', false, (S, who) => ['POST', '/api/v1/account/totp', { password: passwordOf(who) }]],
  ['POST /api/v1/account/totp/confirm', false, () => ['POST', '/api/v1/account/totp/confirm', { code: '000000' }]],
  ['POST /api/v1/account/totp/disable', false, () => ['POST', '/api/v1/account/totp/disable', { code: '000000' }]],
  ['POST /api/v1/account/recovery-codes', false, () => ['POST', '/api/v1/account/recovery-codes', { code: '000000' }]],
  ['GET /api/v1/orgs', false, () => ['GET', '/api/v1/orgs']],
  ['POST /api/v1/orgs', true, (S) => ['POST', '/api/v1/orgs', { code: u('dv'), name: 'Đơn vị thử', kind: 'agency', parent_code: SETS[S].org }]],
  ['GET /api/v1/users', false, () => ['GET', '/api/v1/users']],
  ['POST /api/v1/users', true, (S) => ['POST', '/api/v1/users', { username: u('nguoi'), password: PW, org_code: SETS[S].org, roles: ['reporter'] }]],
  ['POST /api/v1/users/{}/disable', true, async (S) => {
    const n = await newUser(as.admin, { username: u('tat'), org_code: SETS[S].org, password: PW });
    return ['POST', `/api/v1/users/${n.user.id}/disable`];
  }],
  ['GET /api/v1/contacts', false, () => ['GET', '/api/v1/contacts']],
  ['POST /api/v1/contacts', true, (S) => ['POST', '/api/v1/contacts', { org_code: SETS[S].org, name: 'Trực ban thử' }]],
  ['PATCH /api/v1/contacts/{}', true, (S) => ['PATCH', `/api/v1/contacts/${obj[S].contact.id}`, { on_duty: true }]],
  ['GET /api/v1/incidents', false, () => ['GET', '/api/v1/incidents']],
  ['POST /api/v1/incidents', true, (S) => ['POST', '/api/v1/incidents', { title: u('Sự cố'), description: 'Mô tả', detected_at: new Date(Date.now() - 60_000).toISOString(), type: 'intrusion', org_code: SETS[S].org }]],
  ['GET /api/v1/incidents/{}', true, (S) => ['GET', `/api/v1/incidents/${obj[S].inc.id}`]],
  ['PATCH /api/v1/incidents/{}', true, async (S) => {
    const p = `/api/v1/incidents/${obj[S].inc.id}`;
    return ['PATCH', p, { title: u('Tiêu đề sửa') }, im(await version(p))];
  }],
  ['POST /api/v1/incidents/{}/transitions', true, async (S) => {
    const i = await freshIncident(S);
    return ['POST', `/api/v1/incidents/${i.id}/transitions`, { to: 'verified' }, im(i.version)];
  }],
  ['POST /api/v1/incidents/{}/support-requests', true, (S) => ['POST', `/api/v1/incidents/${obj[S].inc.id}/support-requests`, { summary: 'Đề nghị hỗ trợ' }]],
  ['POST /api/v1/incidents/{}/support-requests/{}/transitions', true, async (S) => {
    const sr = ok(await as.dieuphoi.post(`/api/v1/incidents/${obj[S].inc.id}/support-requests`, { summary: 'Nhờ tỉnh' }), 'support');
    return ['POST', `/api/v1/incidents/${obj[S].inc.id}/support-requests/${sr.id}/transitions`, { to: 'accepted' }];
  }],
  ['POST /api/v1/incidents/{}/reports', true, (S) => ['POST', `/api/v1/incidents/${obj[S].inc.id}/reports`, { kind: 'notification', recipient: 'VNCERT/CC', channel: 'email' }]],
  ['POST /api/v1/incidents/{}/tasks', true, (S) => ['POST', `/api/v1/incidents/${obj[S].inc.id}/tasks`, { title: u('Việc') }]],
  ['PATCH /api/v1/incidents/{}/tasks/{}', true, (S) => ['PATCH', `/api/v1/incidents/${obj[S].inc.id}/tasks/${obj[S].task.id}`, { title: u('Việc sửa') }]],
  ['POST /api/v1/incidents/{}/observables', true, (S) => ['POST', `/api/v1/incidents/${obj[S].inc.id}/observables`, { kind: 'ip', value: '203.0.113.77' }]],
  ['POST /api/v1/incidents/{}/comments', true, (S) => ['POST', `/api/v1/incidents/${obj[S].inc.id}/comments`, { body: 'Bình luận' }]],
  ['POST /api/v1/incidents/{}/assignees', true, (S) => ['POST', `/api/v1/incidents/${obj[S].inc.id}/assignees`, { user_id: ids.dieuphoi }]],
  ['POST /api/v1/incidents/{}/attachments', true, (S) => ['POST', `/api/v1/incidents/${obj[S].inc.id}/attachments`, 'tệp', { 'Content-Type': 'text/plain', 'X-Filename': 'a.txt' }]],
  ['GET /api/v1/incidents/{}/attachments/{}', true, (S) => ['GET', `/api/v1/incidents/${obj[S].inc.id}/attachments/${obj[S].att.id}`]],
  ['GET /api/v1/incidents/{}/documents/{}', true, (S) => ['GET', `/api/v1/incidents/${obj[S].inc.id}/documents/mau03`]],
  ['GET /api/v1/incidents.csv', false, () => ['GET', '/api/v1/incidents.csv']],
  // Each item answers for itself (see the scenario below); the request is 200.
  ['POST /api/v1/incidents/bulk', true, async (S) => {
    const i = await freshIncident(S);
    return ['POST', '/api/v1/incidents/bulk', { action: 'assign', user_id: ids.dieuphoi, items: [{ id: i.id, version: i.version }] }];
  }],
  ['GET /api/v1/inbox', false, () => ['GET', '/api/v1/inbox']],
  ['GET /api/v1/saved-filters', false, () => ['GET', '/api/v1/saved-filters']],
  ['POST /api/v1/saved-filters', false, () => ['POST', '/api/v1/saved-filters', { name: u('Xem'), query: 'status=open' }]],
  // A saved view is its owner's alone (dieuphoi's here).
  ['DELETE /api/v1/saved-filters/{}', false, async () => {
    const f = ok(await as.dieuphoi.post('/api/v1/saved-filters', { name: u('Cua dieu phoi'), query: 'overdue=1' }), 'saved filter');
    return ['DELETE', `/api/v1/saved-filters/${f.id}`];
  }],
  ['GET /api/v1/deadlines', false, () => ['GET', '/api/v1/deadlines']],
  ['GET /api/v1/stats', false, () => ['GET', '/api/v1/stats']],
  ['GET /api/v1/systems', true, (S) => ['GET', `/api/v1/systems?org=${SETS[S].org}`]],
  ['POST /api/v1/systems', true, (S) => ['POST', '/api/v1/systems', { name: u('Hệ thống'), org_code: SETS[S].org }]],
  ['GET /api/v1/systems/{}', true, (S) => ['GET', `/api/v1/systems/${obj[S].sys.id}`]],
  ['PATCH /api/v1/systems/{}', true, async (S) => {
    const p = `/api/v1/systems/${obj[S].sys.id}`;
    return ['PATCH', p, { user_count: ++uniq }, im(await version(p))];
  }],
  ['GET /api/v1/hosts', true, (S) => ['GET', `/api/v1/hosts?org=${SETS[S].org}`]],
  ['POST /api/v1/hosts', true, (S) => ['POST', '/api/v1/hosts', { hostname: u('may'), org_code: SETS[S].org }]],
  ['GET /api/v1/hosts/{}', true, (S) => ['GET', `/api/v1/hosts/${obj[S].host.id}`]],
  ['PATCH /api/v1/hosts/{}', true, async (S) => {
    const p = `/api/v1/hosts/${obj[S].host.id}`;
    return ['PATCH', p, { role: u('vai-tro') }, im(await version(p))];
  }],
  ['POST /api/v1/agents/enroll', true, (S) => ['POST', '/api/v1/agents/enroll', { hostname: u('dai-ly'), public_key: agentKey(), org_code: SETS[S].org }]],
  ['POST /api/v1/agents/inventory', false, () => ['POST', '/api/v1/agents/inventory', '{}']],
  ['GET /api/v1/findings', true, (S) => ['GET', `/api/v1/findings?org=${SETS[S].org}`]],
  ['POST /api/v1/findings/match', false, () => ['POST', '/api/v1/findings/match']],
  ['PATCH /api/v1/findings/{}', true, async (S) => {
    const f = (await as.dieuphoi.get(`/api/v1/findings?host=${obj[S].finding.host.id}`)).body.items.find((x) => x.id === obj[S].finding.id);
    return ['PATCH', `/api/v1/findings/${f.id}`, { status: 'accepted', reason: 'Chờ bản vá', accepted_until: '2099-01-01T00:00:00Z' }, im(f.version)];
  }],
  ['GET /api/v1/vulns/{}', false, () => ['GET', `/api/v1/vulns/${vulnId}`]],
  ['POST /api/v1/imports/{} kev', false, () => ['POST', '/api/v1/imports/kev?name=kev.json', kev('CVE-2099-2222'), BIN]],
  ['POST /api/v1/imports/{} nmap', true, (S) => ['POST', `/api/v1/imports/nmap?org=${SETS[S].org}&name=scan.xml`, readFileSync(join(root, 'tests/data/scans/nmap_script_vulners.xml')), BIN]],
  ['GET /api/v1/warnings', false, () => ['GET', '/api/v1/warnings']],
  ['POST /api/v1/warnings', true, (S) => ['POST', '/api/v1/warnings', { title: u('Cảnh báo'), severity: 'low', deadline: deadline(), target_org_codes: [SETS[S].org] }]],
  ['GET /api/v1/warnings/{}', true, (S) => ['GET', `/api/v1/warnings/${obj[S].warn.id}`]],
  ['POST /api/v1/warnings/{}/acknowledge', true, (S) => ['POST', `/api/v1/warnings/${obj[S].warn.id}/acknowledge`, { org_code: SETS[S].org }]],
  ['POST /api/v1/warnings/{}/fixed', true, (S) => ['POST', `/api/v1/warnings/${obj[S].warn.id}/fixed`, { org_code: SETS[S].org }]],
  ['GET /api/v1/compliance', false, () => ['GET', '/api/v1/compliance']],
  ['GET /api/v1/indicators', false, () => ['GET', '/api/v1/indicators']],
  ['POST /api/v1/indicators', true, (S) => ['POST', '/api/v1/indicators', { value: `${u('moi')}.example`, tlp: 'AMBER', org_code: SETS[S].org }]],
  ['GET /api/v1/indicators/{}', true, (S) => ['GET', `/api/v1/indicators/${obj[S].ind.id}`]],
  ['GET /api/v1/indicators/{} green', true, (S) => ['GET', `/api/v1/indicators/${obj[S].green.id}`]],
  ['PATCH /api/v1/indicators/{}', true, async (S) => {
    const p = `/api/v1/indicators/${obj[S].ind.id}`;
    return ['PATCH', p, { name: u('ten') }, im(await version(p))];
  }],
  ['DELETE /api/v1/indicators/{}', true, async (S) => {
    const i = await freshIndicator(S);
    return ['DELETE', `/api/v1/indicators/${i.id}`, undefined, im(i.version)];
  }],
  ['POST /api/v1/indicators/import/{}', true, (S) => ['POST', `/api/v1/indicators/import/list?org=${SETS[S].org}&name=l.txt&tlp=AMBER`, `${u('nhap')}.example\n`, BIN]],
  ['GET /api/v1/indicators/export/{}', true, (S) => ['GET', `/api/v1/indicators/export/csv?to=${SETS[S].org}`]],
  ['GET /api/v1/sightings', false, () => ['GET', '/api/v1/sightings']],
  ['GET /api/v1/hunts', false, () => ['GET', '/api/v1/hunts']],
  ['POST /api/v1/hunts', true, (S) => ['POST', '/api/v1/hunts', { title: u('Săn'), deadline: deadline(), target_org_codes: [SETS[S].org], indicator_ids: [obj[S].green.id] }]],
  ['GET /api/v1/hunts/{}', true, (S) => ['GET', `/api/v1/hunts/${obj[S].hunt.id}`]],
  ['POST /api/v1/hunts/{}/close', true, async (S) => {
    const h = await freshHunt(S);
    return ['POST', `/api/v1/hunts/${h.id}/close`, undefined, im(h.version)];
  }],
  ['GET /api/v1/hunts/{}/rules', true, (S) => ['GET', `/api/v1/hunts/${obj[S].hunt.id}/rules`]],
  ['POST /api/v1/hunts/{}/results', true, (S) => ['POST', `/api/v1/hunts/${obj[S].hunt.id}/results?hostname=${u('may-san')}`,
    `${JSON.stringify({ path: '/tmp/x', kind: 'domain', indicator: obj[S].green.value })}\n`, ND]],
  // -- risk register, resources, budget (issue 15, h/risk) --
  ['GET /api/v1/risks', true, (S) => ['GET', `/api/v1/risks?org=${SETS[S].org}`]],
  ['POST /api/v1/risks', true, async (S) => {
    const sys = ok(await as[SETS[S].owner].post('/api/v1/systems', { name: u('Hệ thống rủi ro'), org_code: SETS[S].org }), 'system');
    return ['POST', '/api/v1/risks', { system_id: sys.id, threat: 'dos', likelihood: 2, impact: 3 }];
  }],
  ['GET /api/v1/risks/heatmap', true, (S) => ['GET', `/api/v1/risks/heatmap?org=${SETS[S].org}`]],
  ['GET /api/v1/risks/{}', true, (S) => ['GET', `/api/v1/risks/${obj[S].risk.id}`]],
  ['PATCH /api/v1/risks/{}', true, async (S) => {
    const p = `/api/v1/risks/${obj[S].risk.id}`;
    return ['PATCH', p, { treatment: u('Xử lý') }, im(await version(p))];
  }],
  ['GET /api/v1/systems/{}/risk-hints', true, (S) => ['GET', `/api/v1/systems/${obj[S].sys.id}/risk-hints`]],
  ['GET /api/v1/resources', true, (S) => ['GET', `/api/v1/resources?org=${SETS[S].org}`]],
  ['POST /api/v1/resources', true, (S) => ['POST', '/api/v1/resources', { kind: 'tool', name: u('Công cụ'), org_code: SETS[S].org }]],
  ['PATCH /api/v1/resources/{}', true, async (S) => {
    const list = ok(await as.dieuphoi.get(`/api/v1/resources?org=${SETS[S].org}`), 'resources').items;
    const r = list.find((x) => x.id === obj[S].res.id);
    return ['PATCH', `/api/v1/resources/${r.id}`, { description: u('Mô tả') }, im(r.version)];
  }],
  ['GET /api/v1/budget-lines', true, (S) => ['GET', `/api/v1/budget-lines?org=${SETS[S].org}`]],
  ['POST /api/v1/budget-lines', true, (S) => ['POST', '/api/v1/budget-lines', { org_code: SETS[S].org, year: 2026, category: 'training', planned: 1000 }]],
  ['PATCH /api/v1/budget-lines/{}', true, async (S) => {
    const l = ok(await as[SETS[S].owner].post('/api/v1/budget-lines', { year: 2026, category: 'other', planned: 10 }), 'budget line');
    return ['PATCH', `/api/v1/budget-lines/${l.id}`, { description: u('Sửa') }, im(l.version)];
  }],
  ['POST /api/v1/budget-lines/{}/submit', true, async (S) => {
    const l = ok(await as[SETS[S].owner].post('/api/v1/budget-lines', { year: 2026, category: 'other', planned: 10 }), 'budget line');
    return ['POST', `/api/v1/budget-lines/${l.id}/submit`, undefined, im(l.version)];
  }],
  ['GET /api/v1/budget/rollup', true, (S) => ['GET', `/api/v1/budget/rollup?year=2026&org=${SETS[S].org}`]],
  ['GET /api/v1/budget/rollup.csv', true, (S) => ['GET', `/api/v1/budget/rollup.csv?year=2026&org=${SETS[S].org}`]],
  ['GET /api/v1/budget/rollup.xlsx', true, (S) => ['GET', `/api/v1/budget/rollup.xlsx?year=2026&org=${SETS[S].org}`]],
  // drills and periodic reports (issue 15, h/reports)
  ['GET /api/v1/plan/drills', false, () => ['GET', '/api/v1/plan/drills']],
  ['POST /api/v1/plan/drills', true, (S) => ['POST', '/api/v1/plan/drills', { title: u('Diễn tập'), kind: 'tabletop', planned_at: deadline(), org_code: SETS[S].org }]],
  ['GET /api/v1/plan/drills/{}', true, (S) => ['GET', `/api/v1/plan/drills/${obj[S].drill.id}`]],
  ['PATCH /api/v1/plan/drills/{}', true, async (S) => {
    const p = `/api/v1/plan/drills/${obj[S].drill.id}`;
    return ['PATCH', p, { lessons: u('Bài học') }, im(await version(p))];
  }],
  ['POST /api/v1/plan/drills/{}/actions', true, (S) => ['POST', `/api/v1/plan/drills/${obj[S].drill.id}/actions`, { title: u('Khắc phục'), owner_id: ids[SETS[S].owner], due_at: deadline() }]],
  ['PATCH /api/v1/plan/drills/{}/actions/{}', true, (S) => ['PATCH', `/api/v1/plan/drills/${obj[S].drill.id}/actions/${obj[S].action.id}`, { title: u('Khắc phục sửa') }]],
  ['GET /api/v1/plan/drills/{}/document', true, (S) => ['GET', `/api/v1/plan/drills/${obj[S].drill.id}/document?format=docx`]],
  ['GET /api/v1/plan/drill-compliance', false, () => ['GET', '/api/v1/plan/drill-compliance']],
  ['GET /api/v1/duty/now', false, () => ['GET', '/api/v1/duty/now']],
  ['GET /api/v1/duty/shifts', false, () => ['GET', '/api/v1/duty/shifts']],
  ['POST /api/v1/duty/shifts', true, (S) => ['POST', '/api/v1/duty/shifts', { org_code: SETS[S].org, kind: 'weekly', start: '08:00', end: '17:00', primary_id: ids[SETS[S].owner] }]],
  ['DELETE /api/v1/duty/shifts/{}', true, async (S) => {
    const s = ok(await as.admin.post('/api/v1/duty/shifts', { org_code: SETS[S].org, kind: 'exception', starts_at: deadline(), ends_at: new Date(Date.now() + 8 * 86400_000).toISOString(), primary_id: ids[SETS[S].owner] }), 'shift');
    return ['DELETE', `/api/v1/duty/shifts/${s.id}`];
  }],
  ['GET /api/v1/notifications', false, () => ['GET', '/api/v1/notifications']],
  ['GET /api/v1/notifications/count', false, () => ['GET', '/api/v1/notifications/count']],
  ['POST /api/v1/notifications/{}/read', false, () => ['POST', '/api/v1/notifications/all/read']],
  ['GET /api/v1/account/notifications', false, () => ['GET', '/api/v1/account/notifications']],
  ['PUT /api/v1/account/notifications', false, () => ['PUT', '/api/v1/account/notifications', { channels: { 'incident.new': ['web', 'email'] } }]],
  ['GET /api/v1/deliveries', false, () => ['GET', '/api/v1/deliveries']],
  ['GET /api/v1/plan/mau05', false, () => ['GET', '/api/v1/plan/mau05']],
  ['POST /api/v1/plan/mau05', true, (S) => ['POST', '/api/v1/plan/mau05', { period: 'year', year: ++mau05Year.year[S], org_code: SETS[S].org }]],
  ['GET /api/v1/plan/mau05/{}', true, (S) => ['GET', `/api/v1/plan/mau05/${obj[S].mau05.id}`]],
  ['PATCH /api/v1/plan/mau05/{}', true, async (S) => {
    const p = `/api/v1/plan/mau05/${obj[S].mau05.id}`;
    return ['PATCH', p, { helpers: u('Sở TT&TT') }, im(await version(p))];
  }],
  ['POST /api/v1/plan/mau05/{}/send', true, async (S) => {
    const m = await freshMau05(S);
    return ['POST', `/api/v1/plan/mau05/${m.id}/send`, undefined, im(m.version)];
  }],
  ['GET /api/v1/plan/mau05/{}/document', true, (S) => ['GET', `/api/v1/plan/mau05/${obj[S].mau05.id}/document?format=docx`]],
  ['GET /api/v1/plan/orgs/{}/mau01', true, (S) => ['GET', `/api/v1/plan/orgs/${SETS[S].org}/mau01`]],
  ['GET /api/v1/plan/orgs/{}/mau01/document', true, (S) => ['GET', `/api/v1/plan/orgs/${SETS[S].org}/mau01/document?format=docx`]],
  ['GET /api/v1/plan/annual', true, (S) => ['GET', `/api/v1/plan/annual?year=2026&org=${SETS[S].org}`]],
  ['GET /api/v1/plan/annual/document', true, (S) => ['GET', `/api/v1/plan/annual/document?year=2026&format=docx&org=${SETS[S].org}`]],
  // -- federation transport (issue 16, h/sync-net): peers only, never a user's session --
  ['POST /api/v1/sync/push', false, () => ['POST', '/api/v1/sync/push', { envelopes: [] }]],
  ['POST /api/v1/sync/pull', false, () => ['POST', '/api/v1/sync/pull', { after: 0 }]],
  ['POST /api/v1/sync/ack', false, () => ['POST', '/api/v1/sync/ack', { seq: 0 }]],
  ['GET /api/v1/agents/hunts', false, () => ['GET', '/api/v1/agents/hunts']],
  ['POST /api/v1/agents/hunts/{}/results', true, (S) => ['POST', `/api/v1/agents/hunts/${obj[S].hunt.id}/results`, '{}']],
  // -- federation core (issue 16, h/sync-core): the home organisation's administrators only --
  ['GET /api/v1/sync/self', false, () => ['GET', '/api/v1/sync/self']],
  ['GET /api/v1/sync/peers', false, () => ['GET', '/api/v1/sync/peers']],
  ['POST /api/v1/sync/peers', false, () => ['POST', '/api/v1/sync/peers', { name: u('peer'), public_key: peerKey(), relation: 'child' }]],
  ['DELETE /api/v1/sync/peers/{}', false, async () => {
    const p = ok(await as.admin.post('/api/v1/sync/peers', { name: u('gone'), public_key: peerKey(), relation: 'parent' }), 'peer');
    return ['DELETE', `/api/v1/sync/peers/${p.id}`];
  }],
  ['GET /api/v1/sync/status', false, () => ['GET', '/api/v1/sync/status']],
  ['GET /api/v1/sync/refusals', false, () => ['GET', '/api/v1/sync/refusals']],
  // -- response plans, playbooks (issue 15, h/plans) --
  ['GET /api/v1/plan-outline', false, () => ['GET', '/api/v1/plan-outline']],
  ['PUT /api/v1/plan-outline', false, async () => {
    const o = ok(await as.admin.get('/api/v1/plan-outline'), 'outline');
    return ['PUT', '/api/v1/plan-outline', { sections: o.sections.map(({ code, kind, title_vi, title_en, guidance }) => ({ code, kind, title_vi, title_en, guidance })) }, im(o.version)];
  }],
  ['GET /api/v1/plans', false, () => ['GET', '/api/v1/plans']],
  ['POST /api/v1/plans', true, async (S) => {
    const sys = ok(await as[SETS[S].owner].post('/api/v1/systems', { name: u('Hệ thống cấp 4'), org_code: SETS[S].org, level: 4 }), 'system');
    return ['POST', '/api/v1/plans', { org_code: SETS[S].org, system_id: sys.id }];
  }],
  ['GET /api/v1/plans/compliance', false, () => ['GET', '/api/v1/plans/compliance']],
  ['GET /api/v1/plans/{}', true, (S) => ['GET', `/api/v1/plans/${obj[S].plan.id}`]],
  ['PATCH /api/v1/plans/{}', true, async (S) => {
    const p = await freshPlan(S, 'draft');
    return ['PATCH', `/api/v1/plans/${p.id}`, { title: u('Kế hoạch sửa') }, im(p.version)];
  }],
  ['POST /api/v1/plans/{}/transitions', true, async (S) => {
    const p = await freshPlan(S, 'draft');
    return ['POST', `/api/v1/plans/${p.id}/transitions`, { to: 'submitted' }, im(p.version)];
  }],
  ['POST /api/v1/plans/{}/transitions approve', true, async (S) => {
    const p = await freshPlan(S, 'submitted');
    return ['POST', `/api/v1/plans/${p.id}/transitions`, { to: 'approved', decision_number: u('QĐ'), decision_date: '2026-01-05' }, im(p.version)];
  }],
  ['POST /api/v1/plans/{}/versions', true, async (S) => {
    const p = await freshPlan(S, 'approved');
    return ['POST', `/api/v1/plans/${p.id}/versions`];
  }],
  ['GET /api/v1/plans/{}/diff', true, (S) => ['GET', `/api/v1/plans/${obj[S].plan.id}/diff`]],
  // format=odt: 422 wherever the plan is readable, whatever the renderers do
  ['GET /api/v1/plans/{}/document', true, (S) => ['GET', `/api/v1/plans/${obj[S].plan.id}/document?format=odt`]],
  ['GET /api/v1/incidents/{}/playbook', true, (S) => ['GET', `/api/v1/incidents/${obj[S].inc.id}/playbook`]],
  // -- email intake (issue 17 item 5, h/mail): a fresh stranger's message each time --
  ['GET /api/v1/mail/triage', false, () => ['GET', '/api/v1/mail/triage']],
  // -- federation kinds: attachments, hunt summaries, withdrawal (issue 16, h/fed-kinds) --
  // a fresh warning each time, issued as the set's warning was (withdrawn once)
  ['POST /api/v1/warnings/{}/withdraw', true, async (S) => {
    const issuer = S === 'C' ? as.dieuphoi : as.tinh;
    const w = ok(await issuer.post('/api/v1/warnings', { title: u('Cảnh báo'), severity: 'high', deadline: deadline(), target_org_codes: [SETS[S].org] }), 'warning');
    return ['POST', `/api/v1/warnings/${w.id}/withdraw`, { reason: 'Nhà sản xuất đã rút lại khuyến cáo' }];
  }],
  ['GET /api/v1/hunts/{}/peers', true, (S) => ['GET', `/api/v1/hunts/${obj[S].hunt.id}/peers`]],
  // -- federation: what came from the peers (issue 16, h/fed-ui) --
  ['GET /api/v1/sync/received', false, () => ['GET', '/api/v1/sync/received?limit=5']],
  // -- standing duty: approval, roster, webhooks (issue 17, h/duty): a fresh Mẫu 05 each time --
  ['POST /api/v1/plan/mau05/{}/submit', true, async (S) => {
    const m = await draftMau05(S);
    return ['POST', `/api/v1/plan/mau05/${m.id}/submit`, undefined, im(m.version)];
  }],
  ['POST /api/v1/plan/mau05/{}/approve', true, async (S) => {
    const m = await submittedMau05(S);
    return ['POST', `/api/v1/plan/mau05/${m.id}/approve`, undefined, im(m.version)];
  }],
  ['POST /api/v1/plan/mau05/{}/return', true, async (S) => {
    const m = await submittedMau05(S);
    return ['POST', `/api/v1/plan/mau05/${m.id}/return`, { reason: 'Thiếu số liệu quý II' }, im(m.version)];
  }],
  // -- several nodes, leadership (issue 18, h/pg-nodes) --
  ['GET /api/v1/mail/triage/{}', false, () => ['GET', `/api/v1/mail/triage/${strangerMail()}`]],
  ['POST /api/v1/mail/triage/{}/accept', false, () => ['POST', `/api/v1/mail/triage/${strangerMail()}/accept`, { org_code: 'pq-tamthanh' }]],
  ['POST /api/v1/mail/triage/{}/reject', false, () => ['POST', `/api/v1/mail/triage/${strangerMail()}/reject`, { reason: 'Thư rác' }]],
  ['GET /api/v1/mail/quarantine', false, () => ['GET', '/api/v1/mail/quarantine']],
  // -- syslog intake, alerts (issue 17, h/syslog) --
  ['GET /api/v1/alerts', true, (S) => ['GET', `/api/v1/alerts?org=${SETS[S].org}`]],
  ['GET /api/v1/alerts/{}', true, async (S) => ['GET', `/api/v1/alerts/${(await freshAlert(S)).id}`]],
  ['POST /api/v1/alerts/{}/promote', true, async (S) => {
    const a = await freshAlert(S);
    return ['POST', `/api/v1/alerts/${a.id}/promote`, {}, im(a.version)];
  }],
  ['POST /api/v1/alerts/{}/dismiss', true, async (S) => {
    const a = await freshAlert(S);
    return ['POST', `/api/v1/alerts/${a.id}/dismiss`, { reason: 'Thử' }, im(a.version)];
  }],
  ['GET /api/v1/syslog/status', false, () => ['GET', '/api/v1/syslog/status']],
];

// A message from an unknown sender through `ungcuu intake email`: its triage id.
function strangerMail() {
  const id = u('la');
  const r = run(['intake', 'email', '--db', server.db, '--json'], {
    input: `From: <${id}@example.org>\r\nSubject: [TBSC] ${id}\r\nMessage-ID: <${id}@example.org>\r\n\r\nTrang web bị tấn công.\r\n`,
  });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout).messages[0].triage_id;
}

// The open alert of set S (its indicator seen from its sender), made by a
// syslog line when the last one was promoted or dismissed (h/syslog).
const SENDER = { C: '127.0.0.2', D: '127.0.0.3' };
async function freshAlert(S) {
  const find = async () => (await as.dieuphoi.get(`/api/v1/alerts?org=${SETS[S].org}`)).body.items
    .find((a) => a.match === obj[S].slInd && a.org.code === SETS[S].org);
  const open = await find();
  if (open) return open;
  await udp(syslogPort, `<13>1 - fw - - - - seen ${obj[S].slInd}`, SENDER[S]);
  return until(find, `an alert of ${S}`);
}

// A plan of set S for a fresh system of level 4 (its own series), drafted
// by the set's owner and taken to `status`.
async function freshPlan(S, status) {
  const { org, owner } = SETS[S];
  const sys = ok(await as[owner].post('/api/v1/systems', { name: u('Hệ thống cấp 4'), org_code: org, level: 4 }), 'system');
  let p = ok(await as[owner].post('/api/v1/plans', { org_code: org, system_id: sys.id }), 'plan');
  if (status === 'draft') return p;
  p = ok(await as[owner].post(`/api/v1/plans/${p.id}/transitions`, { to: 'submitted' }, im(p.version)), 'submit');
  if (status === 'submitted') return p;
  return ok(await as.lanhdao.post(`/api/v1/plans/${p.id}/transitions`, { to: 'approved', decision_number: u('QĐ'), decision_date: '2026-01-05' }, im(p.version)), 'approve');
}

// A new peer's Ed25519 public key, hex (the last 32 bytes of its SPKI).
const peerKey = () => generateKeyPairSync('ed25519').publicKey.export({ format: 'der', type: 'spki' }).subarray(-32).toString('hex');

// Makes the objects of each set, each by its own side.
async function makeObjects() {
  vulnId = 'CVE-2099-2222';
  ok(await as.dieuphoi.post('/api/v1/imports/kev?name=kev.json', kev(vulnId), BIN), 'kev');
  for (const S of ['C', 'D']) {
    const { org, owner } = SETS[S];
    const ow = as[owner];
    const o = obj[S];
    o.inc = await freshIncident(S);
    const base = `/api/v1/incidents/${o.inc.id}`;
    ok(await as.dieuphoi.post(`${base}/support-requests`, { summary: 'Nhờ VNPT', to_org_code: 'pq-vnpt' }), 'support to vnpt');
    o.task = ok(await as.dieuphoi.post(`${base}/tasks`, { title: 'Việc chung', assignee_id: ids.dieuphoi }), 'task');
    o.att = ok(await as.dieuphoi.post(`${base}/attachments`, 'dữ liệu', { 'Content-Type': 'text/plain', 'X-Filename': 'b.txt' }), 'attachment');
    o.contact = ok(await as.dieuphoi.post('/api/v1/contacts', { org_code: org, name: 'Đầu mối' }), 'contact');
    o.sys = ok(await ow.post('/api/v1/systems', { name: u('Hệ thống'), org_code: org }), 'system');
    o.host = ok(await ow.post('/api/v1/hosts', { hostname: u('may-chu'), org_code: org }), 'host');
    // a scanned host of exactly this organisation (?org= takes its subtree)
    const ov = readFileSync(join(root, 'tests/data/scans/one_vuln.xml'), 'utf8').replaceAll('10.0.101.2', S === 'C' ? '10.0.101.2' : '10.0.101.3');
    ok(await ow.post(`/api/v1/imports/openvas?org=${org}&name=ov.xml`, ov, BIN), 'openvas');
    const others = S === 'D' ? [obj.C.finding.host.id] : [];
    o.finding = (await as.dieuphoi.get(`/api/v1/findings?org=${org}`)).body.items.find((f) => f.host && !others.includes(f.host.id));
    assert.ok(o.finding, `a finding of ${org}`);
    const issuer = S === 'C' ? as.dieuphoi : as.tinh;
    o.warn = ok(await issuer.post('/api/v1/warnings', { title: u('Cảnh báo'), severity: 'high', deadline: deadline(), target_org_codes: [org] }), 'warning');
    o.ind = await freshIndicator(S);
    // GREEN (everyone reads it), linked to the set's incident
    o.green = ok(await ow.post('/api/v1/indicators', { value: `${u('xanh')}.example`, tlp: 'GREEN', incident_ids: [o.inc.id] }), 'green');
    o.hunt = await freshHunt(S);
    o.risk = ok(await ow.post('/api/v1/risks', { system_id: o.sys.id, threat: 'malware', likelihood: 3, impact: 3 }), 'risk');
    o.res = ok(await ow.post('/api/v1/resources', { kind: 'contractor', name: u('Nhà thầu'), org_code: org }), 'resource');
    o.plan = await freshPlan(S, 'draft');
    o.drill = ok(await ow.post('/api/v1/plan/drills', { title: u('Diễn tập'), kind: 'live', planned_at: deadline(), org_code: org }), 'drill');
    o.action = ok(await ow.post(`/api/v1/plan/drills/${o.drill.id}/actions`, { title: u('Khắc phục'), owner_id: ids[owner], due_at: deadline() }), 'drill action');
    o.mau05 = await freshMau05(S);
    o.slInd = `${u('syslog')}.example`;
    ok(await as.dieuphoi.post('/api/v1/indicators', { value: o.slInd, tlp: 'GREEN' }), 'syslog indicator');
  }
  // the syslog listener loads them (reload = 1s)
  const want = obj.C.slInd;
  await until(async () => {
    await udp(syslogPort, `<13>1 - fw - - - - probe ${want}`, SENDER.C);
    return (await as.dieuphoi.get('/api/v1/alerts?org=pq-tamthanh')).body.items.some((a) => a.match === want);
  }, 'the syslog indicators to load');
}

// THE expectation table: route (and variant) -> the status each column gets
// (COLS order), for C and D, or for all when the route is not about a set.
// Statuses other than 2xx/401/403/404 are the domain's answer to an allowed
// request (422: a body naming an organisation out of scope; 409: a hunt's
// result from an organisation that is not its target).
const EXPECT = {
  'GET /api/v1/health': { all: '200 200 200 200 200 200 200 200 200' },
  'GET /api/v1/openapi.json': { all: '200 200 200 200 200 200 200 200 200' },
  'GET /api/v1/meta': { all: '200 200 200 200 200 200 200 200 200' },
  'POST /api/v1/session': { all: '200 200 200 200 200 200 200 200 200' },
  'GET /api/v1/session': { all: '200 200 200 200 200 200 200 200 200' },
  'DELETE /api/v1/session': { all: '204 204 204 204 204 204 204 204 204' },
  'POST /api/v1/session/second-factor': { all: '401 401 401 401 401 401 401 401 401' },
  'POST /api/v1/account/password': { all: '422 422 422 422 422 422 422 422 422' },
  'POST /api/v1/account/totp': { all: '201 201 201 201 201 201 201 201 201' },
  'POST /api/v1/account/totp/confirm': { all: '422 422 422 422 422 422 422 422 422' },
  'POST /api/v1/account/totp/disable': { all: '409 409 409 409 409 409 409 409 409' },
  'POST /api/v1/account/recovery-codes': { all: '409 409 409 409 409 409 409 409 409' },
  'GET /api/v1/orgs': { all: '200 200 200 200 200 200 200 200 200' },
  'POST /api/v1/orgs': { C: '201 403 403 403 403 201 403 403 403', D: '201 403 403 403 403 404 403 403 403' },
  'GET /api/v1/users': { all: '200 200 200 200 200 200 200 200 200' },
  'POST /api/v1/users': { C: '201 403 403 403 403 201 404 404 404', D: '201 403 403 403 404 404 404 404 404' },
  'POST /api/v1/users/{}/disable': { C: '200 403 403 403 403 200 404 404 404', D: '200 403 403 403 404 404 404 404 404' },
  'GET /api/v1/contacts': { all: '200 200 200 200 200 200 200 200 200' },
  'POST /api/v1/contacts': { C: '201 201 403 201 403 201 404 404 404', D: '201 201 403 201 404 404 404 404 404' },
  'PATCH /api/v1/contacts/{}': { C: '200 200 403 200 403 200 404 404 404', D: '200 200 403 200 404 404 404 404 404' },
  'GET /api/v1/incidents': { all: '200 200 200 200 200 200 200 200 200' },
  'POST /api/v1/incidents': { C: '403 201 403 201 201 201 422 422 422', D: '403 201 403 201 422 422 422 422 422' },
  'GET /api/v1/incidents/{}': { C: '200 200 200 200 200 200 404 404 200', D: '200 200 200 200 404 404 404 404 200' },
  'PATCH /api/v1/incidents/{}': { C: '403 200 403 200 200 200 404 404 403', D: '403 200 403 200 404 404 404 404 403' },
  'POST /api/v1/incidents/{}/transitions': { C: '403 200 403 200 403 200 404 404 404', D: '403 200 403 200 404 404 404 404 404' },
  'POST /api/v1/incidents/{}/support-requests': { C: '403 201 403 201 403 201 404 404 403', D: '403 201 403 201 404 404 404 404 403' },
  'POST /api/v1/incidents/{}/support-requests/{}/transitions': { C: '403 403 403 200 403 403 404 404 403', D: '403 403 403 200 404 404 404 404 403' },
  'POST /api/v1/incidents/{}/reports': { C: '403 201 403 201 201 201 404 404 403', D: '403 201 403 201 404 404 404 404 403' },
  'POST /api/v1/incidents/{}/tasks': { C: '403 201 403 201 201 201 404 404 403', D: '403 201 403 201 404 404 404 404 403' },
  'PATCH /api/v1/incidents/{}/tasks/{}': { C: '403 200 403 200 200 200 404 404 403', D: '403 200 403 200 404 404 404 404 403' },
  'POST /api/v1/incidents/{}/observables': { C: '403 201 403 201 201 201 404 404 403', D: '403 201 403 201 404 404 404 404 403' },
  'POST /api/v1/incidents/{}/comments': { C: '403 201 403 201 201 201 404 404 201', D: '403 201 403 201 404 404 404 404 201' },
  'POST /api/v1/incidents/{}/assignees': { C: '403 201 403 201 403 201 404 404 403', D: '403 201 403 201 404 404 404 404 403' },
  'POST /api/v1/incidents/{}/attachments': { C: '403 201 403 201 201 201 404 404 403', D: '403 201 403 201 404 404 404 404 403' },
  'GET /api/v1/incidents/{}/attachments/{}': { C: '200 200 200 200 200 200 404 404 200', D: '200 200 200 200 404 404 404 404 200' },
  'GET /api/v1/incidents/{}/documents/{}': { C: '200 200 200 200 200 200 404 404 200', D: '200 200 200 200 404 404 404 404 200' },
  'GET /api/v1/incidents.csv': { all: '200 200 200 200 200 200 200 200 200' },
  'POST /api/v1/incidents/bulk': { C: '200 200 200 200 200 200 200 200 200', D: '200 200 200 200 200 200 200 200 200' },
  'GET /api/v1/inbox': { all: '200 200 200 200 200 200 200 200 200' },
  'GET /api/v1/saved-filters': { all: '200 200 200 200 200 200 200 200 200' },
  'POST /api/v1/saved-filters': { all: '201 201 201 201 201 201 201 201 201' },
  'DELETE /api/v1/saved-filters/{}': { all: '404 200 404 404 404 404 404 404 404' },
  'GET /api/v1/deadlines': { all: '200 200 200 200 200 200 200 200 200' },
  'GET /api/v1/stats': { all: '200 200 200 200 200 200 200 200 200' },
  'GET /api/v1/systems': { C: '200 200 200 200 200 200 200 200 200', D: '200 200 200 200 200 200 200 200 200' },
  'POST /api/v1/systems': { C: '201 201 403 201 201 201 422 422 422', D: '201 201 403 201 422 422 422 422 422' },
  'GET /api/v1/systems/{}': { C: '200 200 200 200 200 200 404 404 404', D: '200 200 200 200 404 404 404 404 404' },
  'PATCH /api/v1/systems/{}': { C: '200 200 403 200 200 200 404 404 404', D: '200 200 403 200 404 404 404 404 404' },
  'GET /api/v1/hosts': { C: '200 200 200 200 200 200 200 200 200', D: '200 200 200 200 200 200 200 200 200' },
  'POST /api/v1/hosts': { C: '201 201 403 201 201 201 422 422 422', D: '201 201 403 201 422 422 422 422 422' },
  'GET /api/v1/hosts/{}': { C: '200 200 200 200 200 200 404 404 404', D: '200 200 200 200 404 404 404 404 404' },
  'PATCH /api/v1/hosts/{}': { C: '200 200 403 200 200 200 404 404 404', D: '200 200 403 200 404 404 404 404 404' },
  'POST /api/v1/agents/enroll': { C: '201 201 403 201 201 201 422 422 422', D: '201 201 403 201 422 422 422 422 422' },
  'POST /api/v1/agents/inventory': { all: '401 401 401 401 401 401 401 401 401' },
  'GET /api/v1/findings': { C: '200 200 200 200 200 200 200 200 200', D: '200 200 200 200 200 200 200 200 200' },
  'POST /api/v1/findings/match': { all: '200 200 403 200 200 200 403 200 200' },
  'PATCH /api/v1/findings/{}': { C: '403 200 403 200 200 200 404 404 404', D: '403 200 403 200 404 404 404 404 404' },
  'GET /api/v1/vulns/{}': { all: '200 200 200 200 200 200 200 200 200' },
  'POST /api/v1/imports/{} kev': { all: '200 200 403 403 403 403 403 403 403' },
  'POST /api/v1/imports/{} nmap': { C: '200 200 403 200 200 200 404 404 404', D: '200 200 403 200 404 404 404 404 404' },
  'GET /api/v1/warnings': { all: '200 200 200 200 200 200 200 200 200' },
  'POST /api/v1/warnings': { C: '403 201 403 201 403 201 403 403 422', D: '403 201 403 201 403 422 403 403 422' },
  'GET /api/v1/warnings/{}': { C: '200 200 200 200 200 200 404 404 404', D: '200 200 200 200 404 404 404 404 404' },
  'POST /api/v1/warnings/{}/acknowledge': { C: '403 403 403 403 200 200 404 404 404', D: '403 200 403 403 404 404 404 404 404' },
  'POST /api/v1/warnings/{}/fixed': { C: '403 403 403 403 200 200 404 404 404', D: '403 200 403 403 404 404 404 404 404' },
  'GET /api/v1/compliance': { all: '200 200 200 200 200 200 200 200 200' },
  'GET /api/v1/indicators': { all: '200 200 200 200 200 200 200 200 200' },
  'POST /api/v1/indicators': { C: '201 201 403 201 201 201 403 422 422', D: '201 201 403 201 422 422 403 422 422' },
  'GET /api/v1/indicators/{}': { C: '200 200 200 200 200 200 404 404 404', D: '200 200 200 200 404 404 404 404 404' },
  'GET /api/v1/indicators/{} green': { C: '200 200 200 200 200 200 200 200 200', D: '200 200 200 200 200 200 200 200 200' },
  'PATCH /api/v1/indicators/{}': { C: '200 200 403 200 200 200 404 404 404', D: '200 200 403 200 404 404 404 404 404' },
  'DELETE /api/v1/indicators/{}': { C: '204 204 403 204 204 204 404 404 404', D: '204 204 403 204 404 404 404 404 404' },
  'POST /api/v1/indicators/import/{}': { C: '200 200 403 200 200 200 403 422 422', D: '200 200 403 200 422 422 403 422 422' },
  'GET /api/v1/indicators/export/{}': { C: '200 200 403 200 200 200 403 200 200', D: '200 200 200 200 200 200 403 200 200' },
  'GET /api/v1/sightings': { all: '200 200 200 200 200 200 200 200 200' },
  'GET /api/v1/hunts': { all: '200 200 200 200 200 200 200 200 200' },
  'POST /api/v1/hunts': { C: '403 201 403 201 403 201 403 403 422', D: '403 201 403 201 403 422 403 403 422' },
  'GET /api/v1/hunts/{}': { C: '200 200 200 200 200 200 404 404 404', D: '200 200 200 200 200 200 200 200 200' },
  'POST /api/v1/hunts/{}/close': { C: '403 200 403 200 403 200 404 404 404', D: '403 200 403 200 403 403 403 403 403' },
  'GET /api/v1/hunts/{}/rules': { C: '200 200 200 200 200 200 404 404 404', D: '200 200 200 200 200 200 200 200 200' },
  'POST /api/v1/hunts/{}/results': { C: '403 409 403 409 201 201 404 404 404', D: '403 201 403 409 201 201 403 201 201' },
  // -- risk register, resources, budget (issue 15, h/risk) --
  'GET /api/v1/risks': { C: '200 200 200 200 200 200 404 404 404', D: '200 200 200 200 404 404 404 404 404' },
  'POST /api/v1/risks': { C: '201 201 403 201 201 201 422 422 422', D: '201 201 403 201 422 422 422 422 422' },
  'GET /api/v1/risks/heatmap': { C: '200 200 200 200 200 200 404 404 404', D: '200 200 200 200 404 404 404 404 404' },
  'GET /api/v1/risks/{}': { C: '200 200 200 200 200 200 404 404 404', D: '200 200 200 200 404 404 404 404 404' },
  'PATCH /api/v1/risks/{}': { C: '200 200 403 200 200 200 404 404 404', D: '200 200 403 200 404 404 404 404 404' },
  'GET /api/v1/systems/{}/risk-hints': { C: '200 200 200 200 200 200 404 404 404', D: '200 200 200 200 404 404 404 404 404' },
  'GET /api/v1/resources': { C: '200 200 200 200 200 200 404 404 404', D: '200 200 200 200 404 404 404 404 404' },
  'POST /api/v1/resources': { C: '201 201 403 201 201 201 422 422 422', D: '201 201 403 201 422 422 422 422 422' },
  'PATCH /api/v1/resources/{}': { C: '200 200 403 200 200 200 404 404 404', D: '200 200 403 200 404 404 404 404 404' },
  'GET /api/v1/budget-lines': { C: '200 200 200 200 200 200 404 404 404', D: '200 200 200 200 404 404 404 404 404' },
  'POST /api/v1/budget-lines': { C: '201 201 403 201 201 201 422 422 422', D: '201 201 403 201 422 422 422 422 422' },
  'PATCH /api/v1/budget-lines/{}': { C: '200 200 403 200 200 200 404 404 404', D: '200 200 403 200 404 404 404 404 404' },
  'POST /api/v1/budget-lines/{}/submit': { C: '200 200 403 200 200 200 404 404 404', D: '200 200 403 200 404 404 404 404 404' },
  'GET /api/v1/budget/rollup': { C: '200 200 200 200 200 200 404 404 404', D: '200 200 200 200 404 404 404 404 404' },
  'GET /api/v1/budget/rollup.csv': { C: '200 200 200 200 200 200 404 404 404', D: '200 200 200 200 404 404 404 404 404' },
  'GET /api/v1/budget/rollup.xlsx': { C: '200 200 200 200 200 200 404 404 404', D: '200 200 200 200 404 404 404 404 404' },
  // drills and periodic reports (issue 15, h/reports): writers are focal
  // points and coordinators; sending a Mẫu 05 is the leader's act
  'GET /api/v1/plan/drills': { all: '200 200 200 200 200 200 200 200 200' },
  'POST /api/v1/plan/drills': { C: '403 201 403 201 201 201 422 422 422', D: '403 201 403 201 422 422 422 422 422' },
  'GET /api/v1/plan/drills/{}': { C: '200 200 200 200 200 200 404 404 404', D: '200 200 200 200 404 404 404 404 404' },
  'PATCH /api/v1/plan/drills/{}': { C: '403 200 403 200 200 200 404 404 404', D: '403 200 403 200 404 404 404 404 404' },
  'POST /api/v1/plan/drills/{}/actions': { C: '403 201 403 201 201 201 404 404 404', D: '403 201 403 201 404 404 404 404 404' },
  'PATCH /api/v1/plan/drills/{}/actions/{}': { C: '403 200 403 200 200 200 404 404 404', D: '403 200 403 200 404 404 404 404 404' },
  'GET /api/v1/plan/drills/{}/document': { C: '200 200 200 200 200 200 404 404 404', D: '200 200 200 200 404 404 404 404 404' },
  'GET /api/v1/plan/drill-compliance': { all: '200 200 200 200 200 200 200 200 200' },
  'GET /api/v1/plan/mau05': { all: '200 200 200 200 200 200 200 200 200' },
  'POST /api/v1/plan/mau05': { C: '403 201 403 201 201 201 422 422 422', D: '403 201 403 201 422 422 422 422 422' },
  'GET /api/v1/plan/mau05/{}': { C: '200 200 200 200 200 200 404 404 404', D: '200 200 200 200 404 404 404 404 404' },
  'PATCH /api/v1/plan/mau05/{}': { C: '403 200 403 200 200 200 404 404 404', D: '403 200 403 200 404 404 404 404 404' },
  'POST /api/v1/plan/mau05/{}/send': { C: '403 403 200 403 403 403 404 404 404', D: '403 403 200 403 404 404 404 404 404' },
  'GET /api/v1/plan/mau05/{}/document': { C: '200 200 200 200 200 200 404 404 404', D: '200 200 200 200 404 404 404 404 404' },
  'GET /api/v1/plan/orgs/{}/mau01': { C: '200 200 200 200 200 200 404 404 404', D: '200 200 200 200 404 404 404 404 404' },
  'GET /api/v1/plan/orgs/{}/mau01/document': { C: '200 200 200 200 200 200 404 404 404', D: '200 200 200 200 404 404 404 404 404' },
  'GET /api/v1/plan/annual': { C: '200 200 200 200 200 200 404 404 404', D: '200 200 200 200 404 404 404 404 404' },
  'GET /api/v1/plan/annual/document': { C: '200 200 200 200 200 200 404 404 404', D: '200 200 200 200 404 404 404 404 404' },
  // -- standing duty, notifications (issue 17, h/notify): everyone sees who is on duty and
  // keeps their own notifications; writers of an organisation keep its roster; the delivery
  // log is the administrators' --
  'GET /api/v1/duty/now': { all: '200 200 200 200 200 200 200 200 200' },
  'GET /api/v1/duty/shifts': { all: '200 200 200 200 200 200 200 200 200' },
  'POST /api/v1/duty/shifts': { C: '201 201 403 201 201 201 403 422 422', D: '201 201 403 201 422 422 403 422 422' },
  'DELETE /api/v1/duty/shifts/{}': { C: '204 204 403 204 204 204 404 404 404', D: '204 204 403 204 404 404 404 404 404' },
  'GET /api/v1/notifications': { all: '200 200 200 200 200 200 200 200 200' },
  'GET /api/v1/notifications/count': { all: '200 200 200 200 200 200 200 200 200' },
  'POST /api/v1/notifications/{}/read': { all: '204 204 204 204 204 204 204 204 204' },
  'GET /api/v1/account/notifications': { all: '200 200 200 200 200 200 200 200 200' },
  'PUT /api/v1/account/notifications': { all: '200 200 200 200 200 200 200 200 200' },
  'GET /api/v1/deliveries': { all: '200 403 403 403 403 200 403 403 403' },
  // -- federation transport (issue 16, h/sync-net): a session or token is no peer --
  'POST /api/v1/sync/push': { all: '401 401 401 401 401 401 401 401 401' },
  'POST /api/v1/sync/pull': { all: '401 401 401 401 401 401 401 401 401' },
  'POST /api/v1/sync/ack': { all: '401 401 401 401 401 401 401 401 401' },
  'GET /api/v1/agents/hunts': { all: '401 401 401 401 401 401 401 401 401' },
  'POST /api/v1/agents/hunts/{}/results': { C: '401 401 401 401 401 401 401 401 401', D: '401 401 401 401 401 401 401 401 401' },
  // -- federation core (issue 16, h/sync-core) --
  'GET /api/v1/sync/self': { all: '200 403 403 403 403 403 403 403 403' },
  'GET /api/v1/sync/peers': { all: '200 403 403 403 403 403 403 403 403' },
  'POST /api/v1/sync/peers': { all: '201 403 403 403 403 403 403 403 403' },
  'DELETE /api/v1/sync/peers/{}': { all: '200 403 403 403 403 403 403 403 403' },
  'GET /api/v1/sync/status': { all: '200 403 403 403 403 403 403 403 403' },
  'GET /api/v1/sync/refusals': { all: '200 403 403 403 403 403 403 403 403' },
  // -- response plans, playbooks (issue 15, h/plans): writers draft, submit and make versions
  // in their subtree; only the leader approves; the outline is the home organisation's admin's --
  'GET /api/v1/plan-outline': { all: '200 200 200 200 200 200 200 200 200' },
  'PUT /api/v1/plan-outline': { all: '200 403 403 403 403 403 403 403 403' },
  'GET /api/v1/plans': { all: '200 200 200 200 200 200 200 200 200' },
  'POST /api/v1/plans': { C: '403 201 403 201 201 201 422 422 422', D: '403 201 403 201 422 422 422 422 422' },
  'GET /api/v1/plans/compliance': { all: '200 200 200 200 200 200 200 200 200' },
  'GET /api/v1/plans/{}': { C: '200 200 200 200 200 200 404 404 404', D: '200 200 200 200 404 404 404 404 404' },
  'PATCH /api/v1/plans/{}': { C: '403 200 403 200 200 200 404 404 404', D: '403 200 403 200 404 404 404 404 404' },
  'POST /api/v1/plans/{}/transitions': { C: '403 200 403 200 200 200 404 404 404', D: '403 200 403 200 404 404 404 404 404' },
  'POST /api/v1/plans/{}/transitions approve': { C: '403 403 200 403 403 403 404 404 404', D: '403 403 200 403 404 404 404 404 404' },
  'POST /api/v1/plans/{}/versions': { C: '403 201 403 201 201 201 404 404 404', D: '403 201 403 201 404 404 404 404 404' },
  'GET /api/v1/plans/{}/diff': { C: '200 200 200 200 200 200 404 404 404', D: '200 200 200 200 404 404 404 404 404' },
  'GET /api/v1/plans/{}/document': { C: '422 422 422 422 422 422 404 404 404', D: '422 422 422 422 404 404 404 404 404' },
  'GET /api/v1/incidents/{}/playbook': { C: '200 200 200 200 200 200 404 404 200', D: '200 200 200 200 404 404 404 404 200' },
  // -- email intake (issue 17 item 5, h/mail): the intake address is the home
  // organisation's (the district): its coordinators triage, nobody else --
  'GET /api/v1/mail/triage': { all: '403 200 403 403 403 403 403 403 403' },
  'GET /api/v1/mail/triage/{}': { all: '403 200 403 403 403 403 403 403 403' },
  'POST /api/v1/mail/triage/{}/accept': { all: '403 200 403 403 403 403 403 403 403' },
  'POST /api/v1/mail/triage/{}/reject': { all: '403 200 403 403 403 403 403 403 403' },
  'GET /api/v1/mail/quarantine': { all: '403 200 403 403 403 403 403 403 403' },
  // -- syslog intake, alerts (issue 17, h/syslog): IT roles and leaders read their subtree's alerts
  // (a reporter alone does not); only a coordinator of the subtree promotes or dismisses --
  'GET /api/v1/alerts': { C: '200 200 200 200 200 200 403 404 404', D: '200 200 200 200 404 404 403 404 404' },
  'GET /api/v1/alerts/{}': { C: '200 200 200 200 200 200 404 404 404', D: '200 200 200 200 404 404 404 404 404' },
  'POST /api/v1/alerts/{}/promote': { C: '403 201 403 201 403 201 404 404 404', D: '403 201 403 201 404 404 404 404 404' },
  'POST /api/v1/alerts/{}/dismiss': { C: '403 200 403 200 403 200 404 404 404', D: '403 200 403 200 404 404 404 404 404' },
  'GET /api/v1/syslog/status': { all: '200 200 200 200 200 200 403 200 200' },
  // -- federation kinds: attachments, hunt summaries, withdrawal (issue 16, h/fed-kinds) --
  // the issuer's side withdraws (its coordinators, and those above); a target reads it, refused
  'POST /api/v1/warnings/{}/withdraw': { C: '403 200 403 200 403 403 404 404 404', D: '403 403 403 200 404 404 404 404 404' },
  // whoever reads the hunt reads what the children's instances sent back
  'GET /api/v1/hunts/{}/peers': { C: '200 200 200 200 200 200 404 404 404', D: '200 200 200 200 200 200 200 200 200' },
  // -- federation: what came from the peers (issue 16, h/fed-ui) --
  // every reader lists what came from the peers; each sees its subtree's items
  // (tests/api/sync_received.test.mjs checks that a commune never sees another's)
  'GET /api/v1/sync/received': { all: '200 200 200 200 200 200 200 200 200' },
  // -- standing duty: approval, roster, webhooks (issue 17, h/duty): those who draft a Mẫu 05
  // submit it in their subtree; only the leader approves or returns it --
  'POST /api/v1/plan/mau05/{}/submit': { C: '403 200 403 200 200 200 404 404 404', D: '403 200 403 200 404 404 404 404 404' },
  'POST /api/v1/plan/mau05/{}/approve': { C: '403 403 200 403 403 403 404 404 404', D: '403 403 200 403 404 404 404 404 404' },
  'POST /api/v1/plan/mau05/{}/return': { C: '403 403 200 403 403 403 404 404 404', D: '403 403 200 403 404 404 404 404 404' },
  // -- several nodes, leadership (issue 18, h/pg-nodes) --
};

// Who may not see set S at all (its incident is 404 to them), and what of S
// they must never read: ids, numbers and values of its records (not its
// hunt, which a hunt on the district shows its communes, nor its contact).
const blind = (S, who) => row(EXPECT['GET /api/v1/incidents/{}'][S])[COLS.indexOf(who)] === 404;
const secrets = (S) => {
  const o = obj[S];
  return [o.inc.id, o.inc.number, o.inc.title, o.task.id, o.att.id, o.sys.id, o.sys.name, o.host.id, o.host.hostname,
    o.finding.id, o.warn.id, o.warn.title, o.ind.id, o.ind.value, o.plan.id, o.risk.id, o.res.id,
    o.drill.id, o.drill.title, o.action.id, o.mau05.id];
};

// "200 201 …" -> numbers, one per column.
const row = (s) => s.trim().split(/\s+/).map(Number);

test('the generated matrix: every route × every role × own/sibling/parent/child organisation', { timeout: 240_000 }, async () => {
  // Every route of routes.c has a case and an expectation, and nothing else is listed.
  const routes = routesFromSource();
  const keys = CASES.map((c) => c[0]);
  const caseRoutes = new Set(keys.map((k) => k.split(' ').slice(0, 2).join(' ')));
  assert.deepEqual(routes.filter((r) => !caseRoutes.has(r)), [], 'routes without a case in CASES');
  assert.deepEqual([...caseRoutes].filter((r) => !routes.includes(r)), [], 'cases of routes not in routes.c');
  if (!process.env.AUTHZ_PRINT) {
    assert.deepEqual(keys.filter((k) => !EXPECT[k]), [], 'routes without an expectation in EXPECT');
    assert.deepEqual(Object.keys(EXPECT).filter((k) => !keys.includes(k)), [], 'expectations without a case');
  }
  await makeObjects();
  const got = {};
  const wrong = [];
  for (const [key, withSet, req] of CASES) {
    for (const S of withSet ? ['C', 'D'] : ['all']) {
      const line = [];
      for (const who of COLS) {
        const [method, path, body, headers = {}, client = as[who]] = await req(S, who);
        const r = await client.req(method, path, body, headers);
        if (r.body?.csrf) client.csrf = r.body.csrf;   // a new session's token (DELETE /session next)
        line.push(r.status);
        // Nothing of a set reaches whoever may not see it, through any route.
        for (const B of process.env.AUTHZ_PRINT ? [] : ['C', 'D']) {
          if (!blind(B, who)) continue;
          const leaked = secrets(B).filter((x) => r.text.includes(x));
          if (leaked.length) wrong.push(`${key} [${S}] ${who}: leaks ${B}'s ${leaked.join(', ')}`);
        }
        const want = row(EXPECT[key]?.[S] ?? '')[line.length - 1];
        if (!process.env.AUTHZ_PRINT && r.status !== want) wrong.push(`${key} [${S}] ${who}: got ${r.status}, expected ${want} (${r.text.slice(0, 160)})`);
      }
      (got[key] ??= {})[S] = line.join(' ');
    }
  }
  if (process.env.AUTHZ_PRINT) {
    for (const [k, v] of Object.entries(got)) console.log(`  '${k}': { ${Object.entries(v).map(([s, l]) => `${s}: '${l}'`).join(', ')} },`);
  }
  assert.deepEqual(wrong, []);
});
