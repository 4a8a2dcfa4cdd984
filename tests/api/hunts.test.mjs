// Hunts (issue 6, regulation §10) against a real server: a coordinator opens
// a hunt over the indicators the TLP rule lets go to every target; a commune
// fetches the rules and uploads a manual sweep's JSON Lines; hits become
// sightings and file an incident for the host; the coordinator sees who ran
// it; closing stops uploads; the compliance view shows the last hunt. Then
// the agent's side: an enrolled Ed25519 key fetches the open hunts (signed
// GET with X-Agent-Time) and sends its result signed; a tampered body or a
// stale time is refused and nothing is stored.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync, sign } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { startServer, sqlite3 } from '../lib/server.mjs';
import { bearer, assertProblem } from './helpers.mjs';
import { stixProblems } from '../tools/stix-schema.mjs';

const T = { timeout: 60_000 };
const DAY = 86_400_000;

let srv;
let coord;   // dieuphoi: coordinator of the district pq
let tam;     // tamthanh: focal of pq-tamthanh
let longhai; // longhai: reporter of pq-longhai (not a target)
let leader;  // lanhdao

before(async () => {
  srv = await startServer();
  coord = bearer(srv, 'dieuphoi');
  tam = bearer(srv, 'tamthanh');
  longhai = bearer(srv, 'longhai');
  leader = bearer(srv, 'lanhdao');
});
after(async () => { await srv?.stop(); });

let seq = 0;
const uniq = (p) => `${p}${process.pid}x${++seq}`;
const inDays = (n) => new Date(Date.now() + n * DAY).toISOString();

async function indicator(body) {
  const r = await coord.post('/api/v1/indicators', body);
  assert.equal(r.status, 201, r.text);
  return r.body;
}

// A set for one hunt: a GREEN domain, an AMBER hash named to pq-tamthanh,
// an AMBER network not named (withheld from the commune) and a RED address.
async function huntSet() {
  const tag = uniq('hunt');
  const domain = await indicator({ value: `c2-${tag}.example`, tlp: 'GREEN', tags: [tag] });
  const hash = await indicator({ value: `${(seq * 7919 + process.pid).toString(16).padStart(16, '0')}`.repeat(4),
    tlp: 'AMBER', tags: [tag], share_with_codes: ['pq-tamthanh'] });
  const net = await indicator({ value: `100.80.${seq % 250}.0/24`, tlp: 'AMBER', tags: [tag] });
  const red = await indicator({ value: `192.0.2.${seq % 250}`, tlp: 'RED', tags: [tag, `${tag}-red`] });
  return { tag, domain, hash, net, red };
}

async function openHunt(c, body, status = 201) {
  const r = await c.post('/api/v1/hunts', { title: `Săn tìm ${uniq('')}`, deadline: inDays(7),
    target_org_codes: ['pq-tamthanh'], ...body });
  assert.equal(r.status, status, r.text);
  return r;
}

function uploadRun(c, huntId, lines, query) {
  const body = typeof lines === 'string' ? lines : `${lines.map((l) => JSON.stringify(l)).join('\n')}\n`;
  return c.req('POST', `/api/v1/hunts/${huntId}/results?${query}`, body, { 'Content-Type': 'application/x-ndjson' });
}

const huntOf = async (c, id) => {
  const r = await c.get(`/api/v1/hunts/${id}`);
  assert.equal(r.status, 200, r.text);
  return r.body;
};
const sightingsOf = async (id) => (await coord.get(`/api/v1/sightings?hunt=${id}&limit=1000`)).body.items;
const indicatorsIn = (bundle) => bundle.objects.filter((o) => o.type === 'indicator');

test('opening a hunt: coordinator only; 422 when the selection is empty or all withheld by TLP', T, async () => {
  const s = await huntSet();
  assertProblem(await openHunt(tam, { tags: [s.tag] }, 403), 403);
  assertProblem(await openHunt(leader, { tags: [s.tag] }, 403), 403);
  assertProblem(await openHunt(coord, { tags: [uniq('khong-co')] }, 422), 422, '/tags');
  // Only the RED one, or only the AMBER one not named to the target.
  assertProblem(await openHunt(coord, { tags: [`${s.tag}-red`] }, 422), 422, '/tags');
  assertProblem(await openHunt(coord, { indicator_ids: [s.red.id, s.net.id] }, 422), 422, '/indicator_ids');
  assertProblem(await openHunt(coord, { tags: [s.tag], deadline: inDays(-1) }, 422), 422, '/deadline');
  assertProblem(await openHunt(coord, { tags: [s.tag], target_org_codes: [] }, 422), 422, '/target_org_codes');
  assertProblem(await openHunt(coord, { tags: [s.tag], target_org_codes: ['stttt-bth'] }, 422), 422,
    '/target_org_codes/0');
  assertProblem(await openHunt(coord, { tags: [s.tag], title: undefined }, 422), 422, '/title');
  // The AMBER network goes when the district itself is the target.
  const own = await openHunt(coord, { indicator_ids: [s.net.id], target_org_codes: ['pq'] });
  assert.equal(own.body.indicators, 1);
});

test('a hunt: set, rules as a STIX bundle, upload → hits, sightings, unknown and a filed incident', T, async () => {
  const s = await huntSet();
  const h = await openHunt(coord, { tags: [s.tag], description: 'Theo cảnh báo của tỉnh' });
  assert.equal(h.headers.get('etag'), '"1"');
  const hunt = h.body;
  assert.equal(hunt.status, 'open');
  assert.equal(hunt.issuer.code, 'pq');
  assert.equal(hunt.indicators, 2, 'the domain and the named hash');
  assert.equal(hunt.withheld, 2, 'the network not named to the commune, the RED address');
  assert.deepEqual(hunt.selection.tags, [s.tag]);
  assert.deepEqual(hunt.targets.map((t) => [t.org.code, t.ran, t.hosts, t.hits, t.late]),
    [['pq-tamthanh', false, 0, 0, false]]);

  // The commune sees it, a commune not targeted does not.
  assert.ok((await tam.get('/api/v1/hunts')).body.items.find((x) => x.id === hunt.id));
  assert.ok(!(await longhai.get('/api/v1/hunts')).body.items.find((x) => x.id === hunt.id));
  assertProblem(await longhai.get(`/api/v1/hunts/${hunt.id}`), 404);

  const rules = await tam.get(`/api/v1/hunts/${hunt.id}/rules`);
  assert.equal(rules.status, 200, rules.text);
  assert.match(rules.headers.get('content-type'), /^application\/stix\+json/);
  assert.equal(rules.body.type, 'bundle');
  assert.deepEqual(stixProblems(rules.body), [], 'the OASIS STIX 2.1 schemas');
  const patterns = indicatorsIn(rules.body).map((o) => o.pattern).join('\n');
  assert.equal(indicatorsIn(rules.body).length, 2, patterns);
  assert.ok(patterns.includes(s.domain.value), patterns);
  assert.ok(patterns.includes(s.hash.value), patterns);
  assert.ok(!patterns.includes(s.net.value.split('/')[0]) && !patterns.includes(s.red.value));
  assertProblem(await longhai.get(`/api/v1/hunts/${hunt.id}/rules`), 404);

  const hits = [
    { path: '/var/log/nginx/access.log', kind: 'domain', indicator: s.domain.value, line: 12 },
    { path: 'C:\\Users\\ketoan\\Downloads\\hoadon.exe', kind: 'hash', indicator: s.hash.value.toUpperCase() },
    { path: '/tmp/khac', kind: 'domain', indicator: 'not-in-the-hunt.example', line: 1 },
  ];
  const r = await uploadRun(tam, hunt.id, hits, 'hostname=pc-01&name=pc-01.jsonl');
  assert.equal(r.status, 201, r.text);
  assert.equal(r.body.hits, 2);
  assert.equal(r.body.sightings, 2);
  assert.equal(r.body.unknown, 1);
  assert.ok(r.body.incident, r.text);
  assert.match(r.body.incident.number, /^PQ-\d{4}-\d{4}$/);

  const inc = await tam.get(`/api/v1/incidents/${r.body.incident.id}`);
  assert.equal(inc.status, 200, 'the commune sees the incident filed for its host');
  assert.equal(inc.body.status, 'received');
  assert.equal(inc.body.org.code, 'pq-tamthanh');
  assert.ok(inc.body.title.startsWith(`Phát hiện IOC khi săn tìm: ${hunt.title}`), inc.body.title);
  assert.ok(inc.body.description.includes('pc-01'));
  assert.ok(inc.body.description.includes('/var/log/nginx/access.log:12'), inc.body.description);
  assert.ok(inc.body.description.includes('hoadon.exe\n'), `a file hit has no line: ${inc.body.description}`);
  const obs = inc.body.observables.map((o) => `${o.kind} ${o.value}`).sort();
  assert.deepEqual(obs, [`domain ${s.domain.value}`, `hash ${s.hash.value}`].sort());

  const seen = await sightingsOf(hunt.id);
  assert.equal(seen.length, 2);
  for (const x of seen) {
    assert.equal(x.source, 'hunt');
    assert.equal(x.hunt.id, hunt.id);
    assert.equal(x.org.code, 'pq-tamthanh');
    assert.equal(x.incident.id, r.body.incident.id);
  }
  const dom = seen.find((x) => x.indicator.id === s.domain.id);
  assert.equal(dom.path, '/var/log/nginx/access.log');
  assert.equal(dom.line, 12);
  assert.equal(seen.find((x) => x.indicator.id === s.hash.id).line, null);
  assert.equal((await coord.get(`/api/v1/indicators/${s.domain.id}`)).body.sightings, 1);
  // The commune reads the sightings of its own run.
  assert.equal((await tam.get(`/api/v1/sightings?hunt=${hunt.id}`)).body.items.length, 2);

  // The same host again: the open incident takes the hits.
  const again = await uploadRun(tam, hunt.id, hits.slice(0, 1), 'hostname=pc-01');
  assert.equal(again.status, 201, again.text);
  assert.equal(again.body.incident.id, r.body.incident.id);
  const inc2 = (await tam.get(`/api/v1/incidents/${r.body.incident.id}`)).body;
  assert.equal(inc2.observables.length, 2, 'the same value is not added twice');
  // Another host files its own; a run with no known hit files nothing.
  const other = await uploadRun(tam, hunt.id, hits.slice(0, 1), 'hostname=pc-02');
  assert.equal(other.status, 201, other.text);
  assert.notEqual(other.body.incident.id, r.body.incident.id);
  const clean = await uploadRun(tam, hunt.id, hits.slice(2), 'hostname=pc-03');
  assert.equal(clean.status, 201, clean.text);
  assert.equal(clean.body.hits, 0);
  assert.equal(clean.body.unknown, 1);
  assert.equal(clean.body.incident, null);

  // Per target: ran, when, on how many hosts, what it found.
  const g = await huntOf(coord, hunt.id);
  assert.equal(g.targets.length, 1);
  const t = g.targets[0];
  assert.equal(t.ran, true);
  assert.ok(t.last_run_at);
  assert.equal(t.hosts, 3, 'pc-01 (twice), pc-02, pc-03');
  assert.equal(t.hits, 2 + 1 + 1 + 0);
  assert.equal(t.late, false);
  assert.equal(g.runs.length, 4);
  assert.ok(g.runs.every((x) => x.via === 'upload' && x.submitted_by === 'tamthanh' && x.org.code === 'pq-tamthanh'));
  assert.deepEqual(g.runs.map((x) => x.hostname).sort(), ['pc-01', 'pc-01', 'pc-02', 'pc-03']);
  assert.equal(g.sightings.length, 4);
  const listed = (await coord.get('/api/v1/hunts')).body.items.find((x) => x.id === hunt.id);
  assert.equal(listed.targets_total, 1);
  assert.equal(listed.targets_ran, 1);
  assert.equal(listed.targets_late, 0);
  assert.equal(listed.hits, 4);
});

test('uploads: not a target → 409; a malformed line → 400 naming the line, nothing stored; the right roles', T, async () => {
  const s = await huntSet();
  const hunt = (await openHunt(coord, { tags: [s.tag] })).body;
  const hit = { path: '/var/log/syslog', kind: 'domain', indicator: s.domain.value, line: 3 };
  assertProblem(await uploadRun(coord, hunt.id, [hit], 'hostname=pc-09&org=pq-longhai'), 409);
  assertProblem(await uploadRun(longhai, hunt.id, [hit], 'hostname=pc-09'), 404, undefined);
  assertProblem(await uploadRun(leader, hunt.id, [hit], 'hostname=pc-09'), 403);
  assertProblem(await uploadRun(tam, hunt.id, [hit], ''), 422, '/hostname');

  const incidentsBefore = (await tam.get('/api/v1/incidents?limit=200')).body.items.length;
  const good = JSON.stringify(hit);
  const en = bearer(srv, 'tamthanh', { lang: 'en' });
  for (const [body, line] of [
    [`${good}\n${good}\n{"path": "/x", "kind": broken\n`, 3],
    [`${good}\n\n[1, 2]\n`, 3],
    [`{"path":"/x","kind":"domain"}\n`, 1],
  ]) {
    const p = assertProblem(await uploadRun(en, hunt.id, body, 'hostname=pc-01&name=quet.jsonl'),
      line === 1 ? 422 : 400);
    assert.match(JSON.stringify(p), line === 1 ? /\/1\/indicator/ : new RegExp(`quet\\.jsonl: line ${line}\\b`), JSON.stringify(p));
  }
  const g = await huntOf(coord, hunt.id);
  assert.equal(g.runs.length, 0, 'no run stored');
  assert.equal(g.targets[0].ran, false);
  assert.equal((await sightingsOf(hunt.id)).length, 0);
  assert.equal((await tam.get('/api/v1/incidents?limit=200')).body.items.length, incidentsBefore);

  // The district (coordinator) may upload for its commune.
  const r = await uploadRun(coord, hunt.id, [hit], 'hostname=pc-05&org=pq-tamthanh');
  assert.equal(r.status, 201, r.text);
  assert.equal(r.body.org_code, 'pq-tamthanh');
});

test('closing a hunt needs If-Match (428, 412); then uploads → 409', T, async () => {
  const s = await huntSet();
  const hunt = (await openHunt(coord, { tags: [s.tag] })).body;
  const path = `/api/v1/hunts/${hunt.id}/close`;
  // A target sees the hunt but may not close it: 403 naming the issuer;
  // a commune that is not a target does not see it: 404.
  const byTarget = await tam.post(path, undefined, { 'If-Match': '"1"' });
  assertProblem(byTarget, 403);
  assert.match(byTarget.body.detail ?? byTarget.body.title, /\(pq\)/, byTarget.text);
  assertProblem(await longhai.post(path, undefined, { 'If-Match': '"1"' }), 404);
  assert.equal((await huntOf(coord, hunt.id)).status, 'open');
  assertProblem(await coord.post(path), 428);
  assertProblem(await coord.post(path, undefined, { 'If-Match': '"5"' }), 412);
  const c = await coord.post(path, undefined, { 'If-Match': '"1"' });
  assert.equal(c.status, 200, c.text);
  assert.equal(c.body.status, 'closed');
  assert.equal(c.body.version, 2);
  assert.equal(c.headers.get('etag'), '"2"');
  assertProblem(await coord.post(path, undefined, { 'If-Match': '"2"' }), 409);
  const hit = { path: '/x', kind: 'domain', indicator: s.domain.value };
  assertProblem(await uploadRun(tam, hunt.id, [hit], 'hostname=pc-01'), 409);
  assert.equal((await huntOf(coord, hunt.id)).runs.length, 0);
});

test('compliance shows the last hunt of pq-tamthanh (not overdue); CSV has last_hunt_at, hunt_overdue', T, async () => {
  const s = await huntSet();
  const hunt = (await openHunt(coord, { tags: [s.tag] })).body;
  const before = Date.now();
  const r = await uploadRun(tam, hunt.id, [], 'hostname=pc-10');
  assert.equal(r.status, 201, r.text);
  const c = await coord.get('/api/v1/compliance');
  assert.equal(c.status, 200, c.text);
  const row = c.body.items.find((x) => x.org.code === 'pq-tamthanh');
  assert.ok(row.last_hunt_at, JSON.stringify(row));
  assert.ok(Date.parse(row.last_hunt_at) >= before - 1000);
  assert.equal(row.hunt_overdue, false);
  assert.ok(Math.abs(Date.parse(row.hunt_due_at) - Date.parse(row.last_hunt_at) - 183 * DAY) < 2 * DAY,
    `${row.last_hunt_at} → ${row.hunt_due_at}`);
  const mine = (await tam.get('/api/v1/compliance')).body.items.find((x) => x.org.code === 'pq-tamthanh');
  assert.equal(mine.last_hunt_at, row.last_hunt_at);

  const csv = await coord.get('/api/v1/compliance?format=csv');
  assert.equal(csv.status, 200, csv.text);
  const lines = csv.text.trim().split(/\r?\n/);
  const head = lines[0].split(',');
  const at = head.indexOf('last_hunt_at');
  const over = head.indexOf('hunt_overdue');
  assert.ok(at >= 0 && over >= 0, lines[0]);
  const tamRow = lines.find((l) => l.startsWith('pq-tamthanh,')).split(',');
  assert.equal(tamRow[at], row.last_hunt_at);
  assert.equal(tamRow[over], 'no');
});

// ---- the agent ----

function agentKey() {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const pub = publicKey.export({ format: 'der', type: 'spki' }).subarray(-32).toString('hex');
  return { pub, sign: (bytes) => sign(null, Buffer.from(bytes), privateKey).toString('hex') };
}

function agentGet(key, { at = Date.now(), sig } = {}) {
  const path = '/api/v1/agents/hunts';
  return fetch(`${srv.url}${path}`, { headers: { 'X-Agent-Key': key.pub, 'X-Agent-Time': String(at),
    'X-Agent-Signature': sig ?? key.sign(`GET ${path} ${at}`) } });
}

function agentPost(key, huntId, body, signedBody = body) {
  return fetch(`${srv.url}/api/v1/agents/hunts/${huntId}/results`, { method: 'POST', body,
    headers: { 'Content-Type': 'application/json', 'X-Agent-Key': key.pub, 'X-Agent-Signature': key.sign(signedBody) } });
}

test('the agent: signed GET lists the open hunt with its rules; signed results → 201 run via agent', T, async () => {
  const key = agentKey();
  const hostname = uniq('pc-agent-');
  const en = await tam.post('/api/v1/agents/enroll', { hostname, public_key: key.pub, org_code: 'pq-tamthanh' });
  assert.equal(en.status, 201, en.text);
  const hostId = en.body.id;
  const s = await huntSet();
  const hunt = (await openHunt(coord, { tags: [s.tag] })).body;

  const g = await agentGet(key);
  assert.equal(g.status, 200, await g.clone().text());
  const items = (await g.json()).items;
  const mine = items.find((x) => x.id === hunt.id);
  assert.ok(mine, JSON.stringify(items.map((x) => x.id)));
  assert.equal(mine.title, hunt.title);
  assert.equal(mine.deadline, hunt.deadline);
  assert.equal(mine.rules.type, 'bundle');
  const patterns = indicatorsIn(mine.rules).map((o) => o.pattern).join('\n');
  assert.equal(indicatorsIn(mine.rules).length, 2, patterns);
  assert.ok(patterns.includes(s.domain.value) && patterns.includes(s.hash.value), patterns);

  const body = JSON.stringify({ hunt_id: hunt.id, hostname, collected_at: new Date().toISOString(), sequence: 1,
    files: 1200, bytes: 5_000_000, errors: 1, hits: [
      { path: '/home/ketoan/tai-lieu.exe', kind: 'hash', indicator: s.hash.value },
      { path: '/var/log/auth.log', kind: 'domain', indicator: s.domain.value, line: 77 },
    ] });
  const p = await agentPost(key, hunt.id, body);
  const run = await p.json();
  assert.equal(p.status, 201, JSON.stringify(run));
  assert.equal(run.hits, 2);
  assert.equal(run.sightings, 2);
  assert.equal(run.unknown, 0);
  assert.ok(run.incident);
  const h = await huntOf(coord, hunt.id);
  assert.equal(h.runs.length, 1);
  assert.equal(h.runs[0].via, 'agent');
  assert.deepEqual(h.runs[0].host, { id: hostId, hostname });
  assert.equal(h.runs[0].files, 1200);
  assert.equal(h.runs[0].submitted_by, null);
  assert.deepEqual(h.targets.map((t) => [t.ran, t.hosts, t.files, t.hits]), [[true, 1, 1200, 2]]);
  const seen = await sightingsOf(hunt.id);
  assert.equal(seen.length, 2);
  assert.ok(seen.every((x) => x.host && x.host.id === hostId && x.source === 'hunt'));
  const inc = (await tam.get(`/api/v1/incidents/${run.incident.id}`)).body;
  assert.equal(inc.status, 'received');
  assert.equal(inc.org.code, 'pq-tamthanh');

  // Answered: the hunt is no longer offered to this host.
  const g2 = await agentGet(key);
  assert.equal(g2.status, 200);
  assert.ok(!(await g2.json()).items.find((x) => x.id === hunt.id));
});

test('the agent: a tampered body, a stale X-Agent-Time or an unknown key → 401 and nothing stored', T, async () => {
  const key = agentKey();
  const hostname = uniq('pc-agent-');
  const en = await tam.post('/api/v1/agents/enroll', { hostname, public_key: key.pub, org_code: 'pq-tamthanh' });
  assert.equal(en.status, 201, en.text);
  const s = await huntSet();
  const hunt = (await openHunt(coord, { tags: [s.tag] })).body;

  // GET: stale time (two days ago, signed correctly), future time, a signature of another time.
  assert.equal((await agentGet(key, { at: Date.now() - 2 * DAY })).status, 401);
  assert.equal((await agentGet(key, { at: Date.now() + 2 * DAY })).status, 401);
  const now = Date.now();
  assert.equal((await agentGet(key, { at: now, sig: key.sign(`GET /api/v1/agents/hunts ${now - 1}`) })).status, 401);
  const stranger = agentKey();
  assert.equal((await agentGet(stranger)).status, 401, 'a key nobody enrolled');

  const honest = JSON.stringify({ hunt_id: hunt.id, hostname, collected_at: new Date().toISOString(), sequence: 1,
    files: 10, bytes: 100, errors: 0, hits: [] });
  const forged = JSON.stringify({ hunt_id: hunt.id, hostname, collected_at: new Date().toISOString(), sequence: 1,
    files: 10, bytes: 100, errors: 0, hits: [{ path: '/x', kind: 'domain', indicator: s.domain.value }] });
  const runs0 = (await huntOf(coord, hunt.id)).runs.length;
  const seen0 = (await sightingsOf(hunt.id)).length;
  const tampered = await agentPost(key, hunt.id, forged, honest);
  assert.equal(tampered.status, 401, await tampered.text());
  assert.equal((await agentPost(stranger, hunt.id, forged)).status, 401);
  // The signature of the GET message does not sign a POST.
  const bad = await fetch(`${srv.url}/api/v1/agents/hunts/${hunt.id}/results`, { method: 'POST', body: forged,
    headers: { 'Content-Type': 'application/json', 'X-Agent-Key': key.pub, 'X-Agent-Time': String(now),
      'X-Agent-Signature': key.sign(`GET /api/v1/agents/hunts ${now}`) } });
  assert.equal(bad.status, 401);
  // Signed, but collected long ago: refused as a replay (agent.test.mjs
  // covers the window on both sides and the sequence numbers).
  const old = JSON.stringify({ hunt_id: hunt.id, hostname, collected_at: new Date(Date.now() - 3 * DAY).toISOString(),
    sequence: 2, files: 1, hits: [] });
  const o = await agentPost(key, hunt.id, old);
  assert.equal(o.status, 422, await o.text());
  // Another hunt's id in the body.
  const mismatch = JSON.stringify({ hunt_id: '01a21086-0000-7000-8000-000000000000', hostname,
    collected_at: new Date().toISOString(), sequence: 3, hits: [] });
  assert.equal((await agentPost(key, hunt.id, mismatch)).status, 422);

  const h = await huntOf(coord, hunt.id);
  assert.equal(h.runs.length, runs0, 'no run stored');
  assert.equal(h.targets[0].ran, false);
  assert.equal((await sightingsOf(hunt.id)).length, seen0, 'no sighting stored');
  // Still offered to the host.
  const g = await agentGet(key);
  assert.ok((await g.json()).items.find((x) => x.id === hunt.id));
});

test('each kind of hit finds its indicator: YARA by any rule it declares, addresses and names without case', T, async () => {
  const tag = uniq('kinds');
  const n = seq;
  const g = { tlp: 'GREEN', tags: [tag] };
  const yara = await indicator({ ...g, kind: 'yara', value:
    `rule First_${n} { strings: $a = "one" condition: $a }\n` +
    `private rule Second_${n}\n{ strings: $b = "two" condition: $b }\n` });
  const v6 = await indicator({ ...g, value: `2001:db8:${n.toString(16)}::1` });
  const cidr = await indicator({ ...g, value: `100.81.${n % 250}.0/24` });
  const name = await indicator({ ...g, kind: 'filename', value: `hoadon-${tag}.exe` });
  const mail = await indicator({ ...g, value: `ke-gian-${tag}@example.net` });
  const url = await indicator({ ...g, value: `http://c2-${tag}.example/Gate.php` });
  const hunt = (await openHunt(coord, { tags: [tag], target_org_codes: ['pq'] })).body;
  assert.equal(hunt.indicators, 6);
  const hits = [
    { path: '/srv/a', kind: 'yara', indicator: `Second_${n}` },
    { path: '/var/log/x.log', kind: 'ip', indicator: v6.value.toUpperCase(), line: 3 },
    { path: '/var/log/x.log', kind: 'ip', indicator: cidr.value, line: 4 },
    { path: `/tmp/HOADON-${tag.toUpperCase()}.EXE`, kind: 'filename', indicator: name.value.toUpperCase() },
    { path: '/var/log/mail.log', kind: 'email', indicator: mail.value.toUpperCase(), line: 9 },
    { path: '/var/log/x.log', kind: 'url', indicator: url.value, line: 5 },
    // Not in the set: a rule the YARA text does not declare, a URL that
    // differs in case (paths are case-sensitive), a name of another kind.
    { path: '/srv/b', kind: 'yara', indicator: `Third_${n}` },
    { path: '/var/log/x.log', kind: 'url', indicator: url.value.replace('Gate', 'gate'), line: 6 },
    { path: '/var/log/x.log', kind: 'domain', indicator: name.value, line: 7 },
  ];
  const r = await uploadRun(coord, hunt.id, hits, 'hostname=srv-kinds&org=pq');
  assert.equal(r.status, 201, r.text);
  assert.equal(r.body.hits, 6, r.text);
  assert.equal(r.body.unknown, 3);
  const all = await sightingsOf(hunt.id);
  const seen = Object.fromEntries(all.map((s) => [s.path + '#' + (s.line ?? ''), s.indicator.id]));
  assert.equal(seen['/srv/a#'], yara.id);
  assert.equal(seen['/var/log/x.log#3'], v6.id);
  assert.equal(seen['/var/log/x.log#4'], cidr.id);
  assert.equal(seen[`/tmp/HOADON-${tag.toUpperCase()}.EXE#`], name.id);
  assert.equal(seen['/var/log/mail.log#9'], mail.id);
  assert.equal(seen['/var/log/x.log#5'], url.id);
});

test('the list counts targets: all, ran, late once the deadline passed (and none late once closed)', T, async () => {
  const tag = uniq('late');
  const dom = await indicator({ value: `late-${tag}.example`, tlp: 'GREEN', tags: [tag] });
  const hunt = (await openHunt(coord, { tags: [tag], target_org_codes: ['pq-tamthanh', 'pq-longhai'] })).body;
  const listed = async () => (await coord.get('/api/v1/hunts')).body.items.find((x) => x.id === hunt.id);
  assert.deepEqual(Object.values(pick(await listed())), [2, 0, 0, 0]);
  // The deadline passes (set in the database: the API refuses a past one).
  sqlite3(['-cmd', '.timeout 5000', srv.db,
    `UPDATE hunts SET deadline = ${Date.now() - DAY} WHERE id = '${hunt.id}'`]);
  assert.deepEqual(Object.values(pick(await listed())), [2, 0, 2, 0]);
  const r = await uploadRun(tam, hunt.id, [{ path: '/var/log/a.log', kind: 'domain', indicator: dom.value, line: 1 }],
    'hostname=pc-late');
  assert.equal(r.status, 201, r.text);
  assert.deepEqual(Object.values(pick(await listed())), [2, 1, 1, 1]);
  const g = await huntOf(coord, hunt.id);
  assert.deepEqual(g.targets.map((x) => [x.org.code, x.ran, x.late]).sort(),
    [['pq-longhai', false, true], ['pq-tamthanh', true, false]]);
  assert.equal((await coord.post(`/api/v1/hunts/${hunt.id}/close`, undefined, { 'If-Match': `"${g.version}"` })).status, 200);
  assert.deepEqual(Object.values(pick(await listed())), [2, 1, 0, 1]);
});

function pick(h) {
  return { total: h.targets_total, ran: h.targets_ran, late: h.targets_late, hits: h.hits };
}
