// GET /api/v1/sync/received (issue 16, h/fed-ui): what came from the other
// instances, as the page "Từ đơn vị khác" lists it. Two real servers (the
// district and the province), peers registered both ways, bundles carry
// the envelopes. The province sees the district's escalation as a mirrored
// incident; the district sees the province's warnings and indicators; the
// sightings and Mẫu 05 a child reported are kept per organisation. Each
// reader sees its subtree only: a commune never sees another commune's
// items. Filters, server-side paging and every bad query.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, sqlite3 } from '../lib/server.mjs';
import { test, before, after, loginAs, runOk, runJson, carryBundle, file, moveOk, assertProblem, raw } from './helpers.mjs';

const EN = { UNGCUU_LANG: 'en', LANG: 'C.UTF-8' };
let D, P, tmp;
let coordD, tamD, longD, tinhP, tamP, longP;
let inc, wTam, wLong, indGreen;

const ok = (args) => runOk(args, EN);
const json = runJson;
function carry(from, peerName, to) {
  const { imp } = carryBundle(tmp, from, peerName, to);
  assert.equal(imp.refused.length, 0, JSON.stringify(imp.refused));
  return imp;
}
const list = async (c, q = '') => {
  const r = await c.get(`/api/v1/sync/received${q}`);
  assert.equal(r.status, 200, r.text);
  return r.body;
};
// Every page of a query, following next_cursor.
async function walk(c, q) {
  const seen = [];
  let cur = null;
  for (let k = 0; k < 100; k++) {
    const b = await list(c, `?${q}${cur ? `&cursor=${encodeURIComponent(cur)}` : ''}`);
    seen.push(...b.items);
    if (!b.next_cursor) return seen;
    cur = b.next_cursor;
  }
  throw new Error('more than 100 pages');
}

before(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'ungcuu-received-'));
  D = await startServer();
  P = await startServer();
  // The province's instance: its home is the province's team (the first
  // administrator's organisation), not the demo's district.
  sqlite3([P.db, "UPDATE users SET org_id = (SELECT id FROM orgs WHERE code = 'stttt-bth') WHERE username = 'admin'"]);
  const d = json(['peer', 'show', '--db', D.db]);
  const p = json(['peer', 'show', '--db', P.db]);
  ok(['peer', 'add', '--db', D.db, '--name', 'tinh', '--key', p.public_key, '--relation', 'parent', '--orgs', 'stttt-bth']);
  ok(['peer', 'add', '--db', P.db, '--name', 'phu-quy', '--key', d.public_key, '--relation', 'child', '--orgs', 'pq']);
  coordD = await loginAs(D, 'dieuphoi');
  tamD = await loginAs(D, 'tamthanh');
  longD = await loginAs(D, 'longhai');
  tinhP = await loginAs(P, 'tinh');
  tamP = await loginAs(P, 'tamthanh');
  longP = await loginAs(P, 'longhai');

  // up: an escalation from the district
  inc = await file(tamD, { title: 'Cổng xã Tam Thanh bị thay giao diện', tlp: 'GREEN' });
  inc = await moveOk(coordD, inc.id, { to: 'acknowledged' }, inc.version);
  const sr = await coordD.post(`/api/v1/incidents/${inc.id}/support-requests`,
    { summary: 'Đề nghị tỉnh hỗ trợ khôi phục', to_org_code: 'stttt-bth' });
  assert.equal(sr.status, 201, sr.text);
  carry(D, 'tinh', P);

  // down: two warnings (one per commune) and a GREEN indicator
  const deadline = new Date(Date.now() + 7 * 86400_000).toISOString();
  for (const [code, title] of [['pq-tamthanh', 'Vá lỗ hổng cổng thông tin xã Tam Thanh'], ['pq-longhai', 'Vá lỗ hổng hộp thư xã Long Hải']]) {
    const w = await tinhP.post('/api/v1/warnings', { title, severity: 'high', deadline, target_org_codes: [code] });
    assert.equal(w.status, 201, w.text);
  }
  const ind = await tinhP.post('/api/v1/indicators', { kind: 'domain', value: 'thaygiaodien.example', tlp: 'GREEN', name: 'Máy chủ điều khiển' });
  assert.equal(ind.status, 201, ind.text);
  carry(P, 'phu-quy', D);

  // Sightings and a Mẫu 05 as the kinds keep them on the province
  // (sync_received, one row per origin record), one per commune.
  const peer = sqlite3([P.db, "SELECT id FROM sync_peers WHERE name = 'phu-quy'"], { encoding: 'utf8' }).trim();
  const now = Date.now();
  const rows = [
    ['s1', 'sighting', { id: 's1', indicator_id: ind.body.id, org_code: 'pq-tamthanh', source: 'syslog', seen_at: new Date(now).toISOString() }],
    ['s2', 'sighting', { id: 's2', indicator_id: ind.body.id, org_code: 'pq-longhai', source: 'agent', seen_at: new Date(now).toISOString() }],
    ['m1', 'periodic', { id: 'm1', form: '05', period: 'quarter', year: 2026, org: { code: 'pq-longhai', name: 'UBND xã Long Hải' }, sent_at: new Date(now).toISOString() }],
    ['h1', 'hunt.summary', { hunt_id: 'h-none', org_code: 'pq-tamthanh', runs: 2, files: 10, errors: 0, hits: 1 }],
  ];
  const esc = (s) => s.replaceAll("'", "''");
  // as keep_received stores a payload: compact, keys sorted at every level
  const canon = (v) => (v && typeof v === 'object' && !Array.isArray(v)
    ? `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canon(v[k])}`).join(',')}}` : JSON.stringify(v));
  const sql = rows.map(([rid, kind, pl], k) => `INSERT INTO sync_received (id, peer_id, kind, remote_id, payload, received_at) VALUES ('0190000${k}-0000-7000-8000-00000000000${k}', '${peer}', '${kind}', '${rid}', '${esc(canon(pl))}', ${now + k});`).join('\n');
  sqlite3([P.db, sql]);
});
after(async () => {
  await D?.stop();
  await P?.stop();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

test('the province lists the mirrored escalation with the district\'s name and a link to its queue', async () => {
  const b = await list(tinhP, '?section=incident');
  assert.equal(b.items.length, 1, JSON.stringify(b.items));
  const it = b.items[0];
  assert.equal(it.section, 'incident');
  assert.equal(it.peer.name, 'phu-quy');
  assert.equal(it.peer.relation, 'child');
  assert.equal(it.title, 'Cổng xã Tam Thanh bị thay giao diện');
  assert.equal(it.incident.number, inc.number);
  assert.equal(it.origin_org.code, 'pq-tamthanh');
  const m = await tinhP.get(`/api/v1/incidents/${it.incident.id}`);
  assert.equal(m.status, 200, 'the link opens the mirror in the queue');
  assert.equal(m.body.mirror?.instance, 'phu-quy');
  assert.ok(b.peers.some((p) => p.name === 'phu-quy'));
});

test('the district lists the warnings and the indicator from above, with their states', async () => {
  const b = await list(coordD);
  assert.equal(b.counts.warning, 2);
  assert.equal(b.counts.indicator, 1);
  assert.equal(b.counts.incident, 0);
  const ind = b.items.find((x) => x.section === 'indicator');
  assert.equal(ind.title, 'thaygiaodien.example');
  assert.equal(ind.peer.name, 'tinh');
  assert.equal(ind.peer.relation, 'parent');
  assert.equal(ind.state, 'active');
  assert.equal(ind.tlp, 'GREEN');
  const ws = b.items.filter((x) => x.section === 'warning');
  assert.deepEqual(ws.map((w) => w.state), ['active', 'active']);
  assert.ok(ws.every((w) => w.severity === 'high' && w.deadline));
  wTam = ws.find((w) => /Tam Thanh/.test(w.title));
  wLong = ws.find((w) => /Long Hải/.test(w.title));
  indGreen = ind;
  const wr = await coordD.get(`/api/v1/warnings/${wTam.id}`);
  assert.equal(wr.status, 200, 'the link opens the warning');
});

test('a commune sees its own items only, never another commune\'s', async () => {
  // district: the warning aimed at it, the GREEN indicator (everyone's)
  const tam = await list(tamD);
  assert.deepEqual(tam.items.map((x) => x.id).sort(), [wTam.id, indGreen.id].sort());
  assert.equal(tam.counts.warning, 1);
  const lng = await list(longD);
  assert.deepEqual(lng.items.map((x) => x.id).sort(), [wLong.id, indGreen.id].sort());
  assert.ok(!JSON.stringify(tam).includes('Long Hải'), 'nothing of Long Hải reaches Tam Thanh');
  // province: each commune's own sighting; Long Hải's Mẫu 05 to Long Hải only
  const pt = await list(tamP);
  assert.deepEqual(pt.items.filter((x) => x.section === 'sighting').map((x) => x.detail.org_code), ['pq-tamthanh']);
  assert.equal(pt.counts.periodic, 0);
  assert.equal(pt.counts.incident, 1, 'the mirror sits in the queue of the same code here: Tam Thanh\'s');
  const pl = await list(longP);
  assert.deepEqual(pl.items.filter((x) => x.section === 'sighting').map((x) => x.detail.org_code), ['pq-longhai']);
  assert.equal(pl.counts.periodic, 1);
  assert.equal(pl.counts.incident, 0);
  assert.ok(!JSON.stringify(pl).includes('Tam Thanh'));
});

test('the province sees every section, sightings titled by our indicator', async () => {
  const b = await list(tinhP);
  assert.deepEqual(b.counts, { sighting: 2, periodic: 1, hunt_summary: 1, incident: 1, warning: 0, indicator: 0 });
  const s = b.items.find((x) => x.section === 'sighting' && x.detail.org_code === 'pq-tamthanh');
  assert.equal(s.title, 'thaygiaodien.example');
  assert.equal(s.indicator.kind, 'domain');
  assert.equal(s.org.code, 'pq-tamthanh');
  const p = b.items.find((x) => x.section === 'periodic');
  assert.equal(p.detail.period, 'quarter');
  assert.equal(p.org.code, 'pq-longhai');
  const h = b.items.find((x) => x.section === 'hunt_summary');
  assert.equal(h.detail.hits, 1);
  assert.equal(h.hunt, undefined, 'a hunt we do not hold: no link');
});

test('filters: section, peer, text, state', async () => {
  assert.equal((await list(tinhP, '?section=sighting')).items.length, 2);
  assert.equal((await list(tinhP, '?peer=phu-quy')).items.length, 5);
  assert.equal((await list(tinhP, '?peer=nobody')).items.length, 0);
  assert.equal((await list(tinhP, '?q=syslog')).items.length, 1);
  assert.equal((await list(coordD, `?q=${encodeURIComponent('Long Hải')}`)).items.length, 1);
  assert.equal((await list(coordD, '?state=open')).items.length, 3);
  assert.equal((await list(coordD, '?state=ended')).items.length, 0);
  // a revoked indicator ends
  const mine = (await tinhP.get('/api/v1/indicators?q=thaygiaodien')).body.items[0];
  const del = await tinhP.del(`/api/v1/indicators/${mine.id}`, { 'If-Match': `"${mine.version}"` });
  assert.equal(del.status, 204, del.text);
  carry(P, 'phu-quy', D);
  const ended = await list(coordD, '?state=ended');
  assert.deepEqual(ended.items.map((x) => [x.section, x.state]), [['indicator', 'revoked']]);
});

test('server-side paging: every item once, in order, by a cursor', async () => {
  const all = (await list(tinhP, '?limit=500')).items;
  const paged = await walk(tinhP, 'limit=2');
  assert.deepEqual(paged.map((x) => x.id), all.map((x) => x.id));
  assert.equal(new Set(paged.map((x) => x.id)).size, paged.length);
  const times = paged.map((x) => Date.parse(x.at));
  assert.deepEqual([...times].sort((a, b) => b - a), times, 'newest first');
  const bySection = await walk(tinhP, 'limit=1&sort=section&order=asc');
  assert.deepEqual(bySection.map((x) => x.section), [...bySection.map((x) => x.section)].sort());
  assert.equal(bySection.length, all.length);
});

test('bad queries are refused with the field named; no login is 401', async () => {
  assertProblem(await tinhP.get('/api/v1/sync/received?section=bogus'), 422, '/section');
  assertProblem(await tinhP.get('/api/v1/sync/received?state=x'), 422, '/state');
  assertProblem(await tinhP.get(`/api/v1/sync/received?q=${'a'.repeat(301)}`), 422, '/q');
  assertProblem(await tinhP.get(`/api/v1/sync/received?peer=${'p'.repeat(65)}`), 422, '/peer');
  assertProblem(await tinhP.get('/api/v1/sync/received?sort=title'), 422, '/sort');
  assertProblem(await tinhP.get('/api/v1/sync/received?order=up'), 422, '/order');
  assertProblem(await tinhP.get('/api/v1/sync/received?cursor=garbage'), 422, '/cursor');
  assertProblem(await tinhP.get('/api/v1/sync/received?cursor=section.x.y'), 422, '/cursor');
  for (const l of ['0', '501', 'x', '-1']) {
    const r = await tinhP.get(`/api/v1/sync/received?limit=${l}`);
    assert.equal(r.status, 422, `limit=${l}: ${r.text}`);
  }
  const bad = await tinhP.get('/api/v1/sync/received?q=%FF%FE');
  assert.equal(bad.status, 400, `bad UTF-8: ${bad.text}`);
  const anon = await raw(P.url, 'GET', '/api/v1/sync/received');
  assert.equal(anon.status, 401);
});
