// The host agent's keys and signed uploads (issue 11, items 1, 6 and 15)
// against a real server.
// - A key belongs to one host for good: enrolling a key that a host of any
//   organisation holds (or held) is refused with 409 and moves nothing;
//   re-enrolling a host (a new key, or the same one again) is an explicit
//   act ("reenroll": true) of a role of the host's own organisation, audited.
// - Every upload (inventory, hunt results) carries a sequence number inside
//   the signed body; a replayed or older one is refused with 409 and
//   changes nothing (a fixed finding stays fixed); collected_at must lie
//   within minutes of the server's clock on BOTH sides (422 naming the
//   server's time), configurable with [agents] clock_skew.
// - The agent keeps its counter in its state file; restored from a backup,
//   it says so and how to recover (re-enrol), and re-enrolling recovers.
import assert from 'node:assert/strict';
import { generateKeyPairSync, sign } from 'node:crypto';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, root, sqlite3 } from '../lib/server.mjs';
import { test, before, after, bearer, bin, tokenFor, assertProblem } from './helpers.mjs';

const MIN = 60_000;
let srv;
let coord;   // dieuphoi: coordinator of the district pq
let tam;     // tamthanh: focal point of pq-tamthanh
let other;   // nguphung: focal point of pq-nguphung, a sibling commune
let work;

before(async () => {
  srv = await startServer();
  coord = bearer(srv, 'dieuphoi');
  tam = bearer(srv, 'tamthanh');
  other = bearer(srv, 'nguphung');
  work = mkdtempSync(join(tmpdir(), 'ungcuu-agent-'));
  // A feed that makes version 1.0-1 of a package vulnerable, fixed in 2.0-1.
  const feed = JSON.stringify({
    schema_version: '1.3.0', id: 'UNGCUU-REPLAY-0001', modified: '2026-11-01T00:00:00Z',
    published: '2026-11-01T00:00:00Z', summary: 'Replay test advisory',
    affected: [{ package: { ecosystem: 'Debian:12', name: 'ungcuu-replay' },
      ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '2.0-1' }] }] }],
    database_specific: { severity: 'HIGH' },
  });
  const r = await coord.req('POST', '/api/v1/imports/osv?name=replay.json', feed,
    { 'Content-Type': 'application/octet-stream' });
  assert.equal(r.status, 200, r.text);
});
after(async () => {
  await srv?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

let seq = 0;
const uniq = (p) => `${p}${process.pid}x${++seq}`;

function agentKey() {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const pub = publicKey.export({ format: 'der', type: 'spki' }).subarray(-32).toString('hex');
  return { pub, sign: (bytes) => sign(null, Buffer.from(bytes), privateKey).toString('hex') };
}

async function answer(r) {
  const text = await r.text();
  let body = null;
  try { body = JSON.parse(text); } catch { body = null; }
  return { status: r.status, headers: r.headers, body, text };
}

// POSTs a body signed by key (as the agent does).
async function agentPost(key, path, body) {
  return answer(await fetch(`${srv.url}${path}`, { method: 'POST', body,
    headers: { 'Content-Type': 'application/json', 'Accept-Language': 'en', 'X-Agent-Key': key.pub,
      'X-Agent-Signature': key.sign(body) } }));
}

async function agentGet(key, at) {
  const path = '/api/v1/agents/hunts';
  return answer(await fetch(`${srv.url}${path}`, { headers: { 'Accept-Language': 'en',
    'X-Agent-Key': key.pub, 'X-Agent-Time': String(at), 'X-Agent-Signature': key.sign(`GET ${path} ${at}`) } }));
}

// An inventory document with the test package at version, dated `at` (ms).
function inventory(hostname, version, sequence, at = Date.now()) {
  const doc = { schema: 'ungcuu-inventory/1', hostname, collected_at: new Date(at).toISOString(),
    os: { family: 'linux', id: 'debian', version_id: '12' },
    packages: [{ ecosystem: 'dpkg', name: 'ungcuu-replay', version, arch: 'amd64', source: 'ungcuu-replay' }] };
  if (sequence !== undefined) doc.sequence = sequence;
  return JSON.stringify(doc);
}

const sendInventory = (key, body) => agentPost(key, '/api/v1/agents/inventory', body);

async function enroll(client, body) {
  return client.post('/api/v1/agents/enroll', body);
}

async function hostOf(client, id) {
  const r = await client.get(`/api/v1/hosts/${id}`);
  assert.equal(r.status, 200, r.text);
  return r.body;
}

// The host's finding of the test advisory (or undefined).
async function finding(hostId) {
  const r = await coord.get(`/api/v1/findings?host=${hostId}&vuln=UNGCUU-REPLAY-0001`);
  assert.equal(r.status, 200, r.text);
  return r.body.items[0];
}

function sql(query) {
  return sqlite3(['-cmd', '.timeout 5000', srv.db, query], { encoding: 'utf8' }).trim();
}

// ---- item 1: a key belongs to exactly one host ----

test('a key enrolled for a host of one commune cannot be enrolled by another: 409, nothing moves', async () => {
  const key = agentKey();
  const mine = uniq('pc-tam-');
  const en = await enroll(tam, { hostname: mine, public_key: key.pub });
  assert.equal(en.status, 201, en.text);
  const hostId = en.body.id;
  assert.equal((await sendInventory(key, inventory(mine, '1.0-1', 1))).status, 200);

  // The sibling commune enrols the same public key (it is no secret: it
  // travels in every X-Agent-Key header) for a host of its own.
  const theirs = uniq('pc-np-');
  const steal = await enroll(other, { hostname: theirs, public_key: key.pub });
  const p = assertProblem(steal, 409);
  assert.doesNotMatch(p.detail, new RegExp(mine), 'the refusal does not name the other host');
  // Even explicitly as a re-enrolment, and even in the same commune.
  assertProblem(await enroll(other, { hostname: theirs, public_key: key.pub, reenroll: true }), 409);
  assertProblem(await enroll(tam, { hostname: uniq('pc-tam-'), public_key: key.pub, reenroll: true }), 409);
  assertProblem(await enroll(coord, { hostname: uniq('pc-tam-'), public_key: key.pub, org_code: 'pq-tamthanh' }), 409);
  const listed = (await other.get('/api/v1/hosts')).body.items;
  assert.ok(!listed.some((h) => h.hostname === theirs), 'no host was created for the refused enrolment');

  // The key still speaks for the first host only.
  const up = await sendInventory(key, inventory(mine, '2.0-1', 2));
  assert.equal(up.status, 200, up.text);
  assert.equal(up.body.host_id, hostId);
  const h = await hostOf(tam, hostId);
  assert.equal(h.agent, true);
  assert.equal(h.org.code, 'pq-tamthanh');
  assert.equal(sql(`SELECT COUNT(*) FROM hosts WHERE agent_key = '${key.pub}'`), '1');
});

test('re-enrolling a host is explicit ("reenroll": true), by a role of its organisation, and audited', async () => {
  const k1 = agentKey();
  const k2 = agentKey();
  const name = uniq('pc-re-');
  const en = await enroll(tam, { hostname: name, public_key: k1.pub });
  assert.equal(en.status, 201, en.text);
  const hostId = en.body.id;
  assert.equal((await sendInventory(k1, inventory(name, '1.0-1', 5))).status, 200);

  // A new key for a host that has an agent: refused unless asked for.
  const implicit = await enroll(tam, { hostname: name, public_key: k2.pub });
  assert.match(assertProblem(implicit, 409).detail, /reenroll/);
  // The same key again is a re-enrolment too.
  assertProblem(await enroll(tam, { hostname: name, public_key: k1.pub }), 409);
  // Not from another commune (the organisation is out of its scope), not
  // by a role that may not enrol (the leader reads only).
  assertProblem(await enroll(other, { hostname: name, public_key: k2.pub, org_code: 'pq-tamthanh', reenroll: true }), 422, '/org_code');
  const lead = bearer(srv, 'lanhdao');
  assertProblem(await enroll(lead, { hostname: name, public_key: k2.pub, org_code: 'pq-tamthanh', reenroll: true }), 403);
  assert.equal((await sendInventory(k1, inventory(name, '1.0-1', 6))).status, 200, 'k1 still the key');

  const re = await enroll(tam, { hostname: name, public_key: k2.pub, reenroll: true });
  assert.equal(re.status, 201, re.text);
  assert.equal(re.body.id, hostId, 'the same host, not a new one');
  // The old key is retired: its uploads are refused, and it can never be
  // enrolled anywhere else.
  assert.equal((await sendInventory(k1, inventory(name, '1.0-1', 7))).status, 401);
  assertProblem(await enroll(other, { hostname: uniq('pc-np-'), public_key: k1.pub }), 409);
  // The new key starts its own count.
  assert.equal((await sendInventory(k2, inventory(name, '2.0-1', 1))).status, 200);

  // The audit log says who replaced which key with which.
  const rows = sql(`SELECT action || '|' || actor || '|' || COALESCE(before, '') || '|' || after FROM audit_log `
    + `WHERE entity_id = '${hostId}' AND action LIKE 'agent.%' ORDER BY seq`).split('\n');
  assert.equal(rows.length, 2, rows.join('\n'));
  assert.match(rows[0], /^agent\.enroll\|/);
  assert.ok(rows[0].includes(k1.pub));
  const [action, , beforeJson, afterJson] = rows[1].split('|');
  assert.equal(action, 'agent.reenroll');
  assert.equal(JSON.parse(beforeJson).agent_key, k1.pub);
  assert.equal(JSON.parse(afterJson).agent_key, k2.pub);

  // The same key again (a reinstall that kept it): allowed when explicit,
  // and its count goes on: what it signed before stays refused.
  const again = await enroll(tam, { hostname: name, public_key: k2.pub, reenroll: true });
  assert.equal(again.status, 201, again.text);
  assertProblem(await sendInventory(k2, inventory(name, '2.0-1', 1)), 409);
  assert.equal((await sendInventory(k2, inventory(name, '2.0-1', 2))).status, 200);
});

test('a host made by hand (no agent yet) takes its first key without "reenroll"', async () => {
  const name = uniq('pc-hand-');
  const h = await tam.post('/api/v1/hosts', { hostname: name });
  assert.equal(h.status, 201, h.text);
  const key = agentKey();
  const en = await enroll(tam, { hostname: name, public_key: key.pub });
  assert.equal(en.status, 201, en.text);
  assert.equal(en.body.id, h.body.id);
  assert.equal(en.body.agent, true);
});

// ---- items 6 and 15: replay, stale counters, the clock window ----

test('inventory: a replayed body, an older counter, a future or too old date → refused, the finding unchanged', async () => {
  const key = agentKey();
  const name = uniq('pc-replay-');
  const hostId = (await enroll(tam, { hostname: name, public_key: key.pub })).body.id;

  const vulnerable = inventory(name, '1.0-1', 1);
  let r = await sendInventory(key, vulnerable);
  assert.equal(r.status, 200, r.text);
  assert.equal((await finding(hostId)).status, 'open');
  r = await sendInventory(key, inventory(name, '2.0-1', 2));
  assert.equal(r.status, 200, r.text);
  const fixed = await finding(hostId);
  assert.equal(fixed.status, 'fixed');
  const seen = (await hostOf(tam, hostId)).last_seen_at;

  const refusedAndUnchanged = async (res, status, what) => {
    assertProblem(res, status);
    const f = await finding(hostId);
    assert.equal(f.status, 'fixed', `${what}: the fixed finding did not reopen`);
    assert.equal(f.version, fixed.version, `${what}: the finding was not touched`);
    assert.equal((await hostOf(tam, hostId)).last_seen_at, seen, `${what}: the host was not touched`);
  };
  // The very body sent before (a replay), word for word.
  const replay = await sendInventory(key, vulnerable);
  await refusedAndUnchanged(replay, 409, 'replayed body');
  assert.match(replay.body.detail, /last sequence accepted: 2/);
  assert.match(replay.body.detail, /--reenroll/);
  // A freshly dated body with a number already used, or lower.
  await refusedAndUnchanged(await sendInventory(key, inventory(name, '1.0-1', 2)), 409, 'same counter');
  await refusedAndUnchanged(await sendInventory(key, inventory(name, '1.0-1', 1)), 409, 'older counter');
  // Dated in the future beyond the window (it could be replayed until
  // then), and in the past beyond it, each with a fresh counter.
  const future = await sendInventory(key, inventory(name, '1.0-1', 10, Date.now() + 10 * MIN));
  await refusedAndUnchanged(future, 422, 'future-dated');
  assert.ok(future.body.errors.some((e) => e.pointer === '/collected_at' && /server time/.test(e.detail)
    && /\d{4}-\d\d-\d\dT/.test(e.detail)), `names the server's time: ${future.text}`);
  await refusedAndUnchanged(await sendInventory(key, inventory(name, '1.0-1', 11, Date.now() + 23 * 60 * MIN)),
    422, 'dated 23 hours ahead');
  await refusedAndUnchanged(await sendInventory(key, inventory(name, '1.0-1', 12, Date.now() - 10 * MIN)),
    422, 'older than the window');
  // No counter at all, or not a positive integer.
  await refusedAndUnchanged(await sendInventory(key, inventory(name, '1.0-1')), 422, 'no sequence');
  await refusedAndUnchanged(await sendInventory(key, inventory(name, '1.0-1', 0)), 422, 'sequence 0');
  await refusedAndUnchanged(await sendInventory(key, inventory(name, '1.0-1', 2 ** 53)), 422, 'sequence past 2^53-1');

  // Within the window on both sides, with a higher number: accepted; the
  // refused numbers 10..12 were not used up.
  r = await sendInventory(key, inventory(name, '2.0-1', 3, Date.now() + 2 * MIN));
  assert.equal(r.status, 200, r.text);
  r = await sendInventory(key, inventory(name, '2.0-1', 4, Date.now() - 2 * MIN));
  assert.equal(r.status, 200, r.text);
  // A gap in the numbers is fine (an agent that crashed after counting).
  r = await sendInventory(key, inventory(name, '1.0-1', 100));
  assert.equal(r.status, 200, r.text);
  assert.equal((await finding(hostId)).status, 'open', 'a newer inventory still reopens');
});

test('the sequence at its limit (2^53 - 1) is taken; one past it is refused', async () => {
  const key = agentKey();
  const name = uniq('pc-max-');
  assert.equal((await enroll(tam, { hostname: name, public_key: key.pub })).status, 201);
  assertProblem(await sendInventory(key, inventory(name, '1.0-1', 2 ** 53)), 422, '/sequence');
  const r = await sendInventory(key, inventory(name, '1.0-1', Number.MAX_SAFE_INTEGER));
  assert.equal(r.status, 200, r.text);
  assertProblem(await sendInventory(key, inventory(name, '1.0-1', Number.MAX_SAFE_INTEGER)), 409);
});

test('the same signed upload sent twice at once: exactly one is stored', async () => {
  const key = agentKey();
  const name = uniq('pc-race-');
  assert.equal((await enroll(tam, { hostname: name, public_key: key.pub })).status, 201);
  const body = inventory(name, '1.0-1', 1);
  const both = await Promise.all([sendInventory(key, body), sendInventory(key, body), sendInventory(key, body)]);
  assert.deepEqual(both.map((x) => x.status).sort(), [200, 409, 409], both.map((x) => x.text).join('\n'));
});

async function openHunt() {
  const tag = uniq('agent-hunt');
  const ind = await coord.post('/api/v1/indicators', { value: `c2-${tag}.example`, tlp: 'GREEN', tags: [tag] });
  assert.equal(ind.status, 201, ind.text);
  const h = await coord.post('/api/v1/hunts', { title: `Săn tìm ${tag}`, tags: [tag],
    deadline: new Date(Date.now() + 7 * 86400e3).toISOString(), target_org_codes: ['pq-tamthanh'] });
  assert.equal(h.status, 201, h.text);
  return { hunt: h.body, domain: ind.body.value };
}

test('hunt results: the same protections (replay, older counter, future and past dates) and one counter with the inventory', async () => {
  const key = agentKey();
  const name = uniq('pc-hunt-');
  assert.equal((await enroll(tam, { hostname: name, public_key: key.pub })).status, 201);
  const { hunt, domain } = await openHunt();
  const path = `/api/v1/agents/hunts/${hunt.id}/results`;
  const result = (sequence, at = Date.now(), hits = []) => {
    const o = { hunt_id: hunt.id, hostname: name, collected_at: new Date(at).toISOString(), files: 3, hits };
    if (sequence !== undefined) o.sequence = sequence;
    return JSON.stringify(o);
  };
  const runs = async () => (await coord.get(`/api/v1/hunts/${hunt.id}`)).body.runs.length;
  const sightings = async () => (await coord.get(`/api/v1/sightings?hunt=${hunt.id}&limit=1000`)).body.items.length;

  assert.equal((await sendInventory(key, inventory(name, '1.0-1', 7))).status, 200);
  // Below the inventory's number: the counter is the host's, for every upload.
  assertProblem(await agentPost(key, path, result(7)), 409);
  const first = result(8, Date.now(), [{ path: '/tmp/x', kind: 'domain', indicator: domain }]);
  const ok = await agentPost(key, path, first);
  assert.equal(ok.status, 201, ok.text);
  assert.equal(await runs(), 1);
  const seen = await sightings();
  assert.equal(seen, 1);

  const unchanged = async (res, status, what) => {
    assertProblem(res, status);
    assert.equal(await runs(), 1, `${what}: no run stored`);
    assert.equal(await sightings(), seen, `${what}: no sighting stored`);
  };
  await unchanged(await agentPost(key, path, first), 409, 'replayed result');
  await unchanged(await agentPost(key, path, result(8, Date.now(), [{ path: '/tmp/y', kind: 'domain', indicator: domain }])), 409, 'same counter');
  await unchanged(await agentPost(key, path, result(3)), 409, 'older counter');
  await unchanged(await agentPost(key, path, result(20, Date.now() + 10 * MIN)), 422, 'future-dated');
  await unchanged(await agentPost(key, path, result(21, Date.now() - 10 * MIN)), 422, 'older than the window');
  await unchanged(await agentPost(key, path, result(undefined)), 422, 'no sequence');
  // And the inventory refuses what the hunt used.
  assertProblem(await sendInventory(key, inventory(name, '1.0-1', 8)), 409);
  assert.equal((await agentPost(key, path, result(9))).status, 201);
});

test('the signed GET of the open hunts: X-Agent-Time within minutes on both sides, the refusal naming the server time', async () => {
  const key = agentKey();
  assert.equal((await enroll(tam, { hostname: uniq('pc-get-'), public_key: key.pub })).status, 201);
  assert.equal((await agentGet(key, Date.now())).status, 200);
  assert.equal((await agentGet(key, Date.now() + 2 * MIN)).status, 200);
  assert.equal((await agentGet(key, Date.now() - 2 * MIN)).status, 200);
  for (const at of [Date.now() + 10 * MIN, Date.now() - 10 * MIN, Date.now() + 23 * 60 * MIN]) {
    const r = await agentGet(key, at);
    assertProblem(r, 401);
    assert.match(r.body.detail, /server time.*\d{4}-\d\d-\d\dT.*± 300 s/, r.text);
  }
  // X-Agent-Time is digits and nothing else: junk after the number or a sign
  // is refused even with a signature over the number it starts with (blanks
  // around a header value are HTTP's, not the value's).
  const path = '/api/v1/agents/hunts';
  const now = Date.now();
  for (const v of [`${now}abc`, `+${now}`, `${now}.5`, `-${now}`, `0x${now.toString(16)}`]) {
    const r = await answer(await fetch(`${srv.url}${path}`, { headers: {
      'X-Agent-Key': key.pub, 'X-Agent-Time': v, 'X-Agent-Signature': key.sign(`GET ${path} ${now}`) } }));
    assert.ok(r.status === 401 || r.status === 422 || r.status === 400, `${JSON.stringify(v)}: ${r.status} ${r.text}`);
  }
});

test('[agents] clock_skew sets the window; a value past a week is refused at start', async () => {
  const cfg = join(work, 'skew.ini');
  writeFileSync(cfg, '[agents]\nclock_skew = 1m\n');
  const narrow = await startServer({ args: ['--config', cfg] });
  try {
    const c = bearer(narrow, 'tamthanh');
    const key = agentKey();
    const name = uniq('pc-skew-');
    assert.equal((await c.post('/api/v1/agents/enroll', { hostname: name, public_key: key.pub })).status, 201);
    const post = async (body) => answer(await fetch(`${narrow.url}/api/v1/agents/inventory`, { method: 'POST', body,
      headers: { 'Content-Type': 'application/json', 'X-Agent-Key': key.pub, 'X-Agent-Signature': key.sign(body) } }));
    assertProblem(await post(inventory(name, '1.0-1', 1, Date.now() + 2 * MIN)), 422, '/collected_at');
    assertProblem(await post(inventory(name, '1.0-1', 2, Date.now() - 2 * MIN)), 422, '/collected_at');
    assert.equal((await post(inventory(name, '1.0-1', 3, Date.now() + 20_000))).status, 200);
  } finally {
    await narrow.stop();
  }
  const bad = join(work, 'bad.ini');
  writeFileSync(bad, '[agents]\nclock_skew = 10081m\n');   // a week and a minute
  const r = spawnSync(bin, ['serve', '--db', srv.db, '--config', bad, '--listen', '127.0.0.1:1'],
    { encoding: 'utf8', timeout: 20_000, env: { ...process.env, UNGCUU_LANG: 'en' } });
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, /bad\.ini:2/);
});

// ---- the agent's side ----

function agentCli(args) {
  return spawnSync(bin, ['agent', ...args], { encoding: 'utf8', timeout: 30_000,
    env: { ...process.env, UNGCUU_LANG: 'en' } });
}

test('the agent counts in its state file; restored from a backup it says how to recover, and re-enrolling does', async () => {
  const tree = join(work, 'root');
  cpSync(join(root, 'tests', 'data', 'inventory', 'roots', 'debian12'), tree, { recursive: true });
  renameSync(join(tree, '_var'), join(tree, 'var'));
  const state = join(work, 'state');
  const name = 'ubnd-phuquy-web01';   // what the tree's inventory says, as on a real host
  const enrollArgs = ['enroll', '--server', srv.url, '--token', tokenFor(srv, 'tamthanh'), '--state', state,
    '--hostname', name];
  let r = agentCli(enrollArgs);
  assert.equal(r.status, 0, r.stderr);
  const stateFile = join(state, 'agent.json');
  assert.equal(JSON.parse(readFileSync(stateFile, 'utf8')).sequence, 0);

  r = agentCli(['run', '--state', state, '--root', tree]);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(JSON.parse(readFileSync(stateFile, 'utf8')).sequence, 1);
  const backup = readFileSync(stateFile, 'utf8');
  r = agentCli(['run', '--state', state, '--root', tree]);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(JSON.parse(readFileSync(stateFile, 'utf8')).sequence, 2);

  // The state comes back from last night's backup: the number is old.
  writeFileSync(stateFile, backup);
  r = agentCli(['run', '--state', state, '--root', tree]);
  assert.equal(r.status, 1, r.stderr);
  assert.match(r.stderr, /409/);
  assert.match(r.stderr, /last sequence accepted: 2/);
  // The server's own advice reaches the user whole, not cut at 160 bytes.
  assert.match(r.stderr, /Server answered: 409 .*Re-enrol the agent: ungcuu agent enroll --reenroll\n/);
  assert.match(r.stderr, /--reenroll --state /);
  assert.ok(r.stderr.includes(state), 'names the state directory to re-enrol');

  // Enrolling again without saying so is refused (the host has an agent).
  r = agentCli(enrollArgs);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /--reenroll/);
  // The documented recovery: re-enrol (a new key, a new count).
  r = agentCli([...enrollArgs, '--reenroll']);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(JSON.parse(readFileSync(stateFile, 'utf8')).sequence, 0);
  r = agentCli(['run', '--state', state, '--root', tree, '--json']);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(JSON.parse(readFileSync(stateFile, 'utf8')).sequence, 1);

  // Timers overlapping: runs at once each take their own number (the
  // state is locked while counting), and all are stored.
  const runs = await Promise.all([0, 1, 2].map(() => new Promise((ok) => {
    const c = spawn(bin, ['agent', 'run', '--state', state, '--root', tree],
      { env: { ...process.env, UNGCUU_LANG: 'en' } });
    let err = '';
    c.stderr.on('data', (d) => { err += d; });
    c.on('close', (code) => ok({ code, err }));
  })));
  assert.deepEqual(runs.map((x) => x.code), [0, 0, 0], runs.map((x) => x.err).join('\n'));
  assert.equal(JSON.parse(readFileSync(stateFile, 'utf8')).sequence, 4);
  assert.deepEqual(readdirSync(state).sort(), ['agent.json', 'agent.key', 'agent.lock'], 'no temporary file left');
});
