// Lost updates (issue 11, item 8): every versioned change in the product,
// sent many times at once with the same If-Match, must succeed exactly once;
// the others answer 412 and change nothing. The version check and the write
// have to be one statement or one transaction: a check outside the
// transaction lets two requests read the same version and both write.
//
// A race is probabilistic; each case sends WAVE requests at once, ROUNDS
// times over, which made the old indicator and hunt code let two through in
// every run on a 2-core machine.
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.mjs';
import { test, before, after, bearer, file } from './helpers.mjs';

const WAVE = 12;
const ROUNDS = 6;
const T = { timeout: 120_000 };

let srv;
let coord;   // dieuphoi: coordinator + responder of the district pq
let tam;     // tamthanh: reporter + focal of pq-tamthanh

before(async () => {
  srv = await startServer();
  coord = bearer(srv, 'dieuphoi');
  tam = bearer(srv, 'tamthanh');
});
after(async () => { await srv?.stop(); });

let seq = 0;
const uniq = (p) => `${p}${process.pid}x${++seq}`;

// Sends WAVE copies of one request at once; expects exactly one success and
// 412 for all the others (or 404 once a delete has gone through). send(i)
// makes the i-th request.
async function once(what, send, lost = [412]) {
  const rs = await Promise.all(Array.from({ length: WAVE }, (_, i) => send(i)));
  const wins = rs.filter((r) => r.status === 200 || r.status === 204);
  const stale = rs.filter((r) => lost.includes(r.status));
  assert.equal(wins.length, 1, `${what}: ${wins.length} of ${WAVE} succeeded with one If-Match ` +
    `(${rs.map((r) => r.status).join(',')})`);
  assert.equal(stale.length, WAVE - 1, `${what}: ${rs.map((r) => r.status).join(',')}`);
  return wins[0];
}

test('PATCH and DELETE of an indicator with one If-Match succeed once', T, async () => {
  for (let round = 0; round < ROUNDS; round++) {
    const c = await coord.post('/api/v1/indicators', { value: `${uniq('race')}.example` });
    assert.equal(c.status, 201, c.text);
    const path = `/api/v1/indicators/${c.body.id}`;
    const w = await once('indicator PATCH', (i) => coord.patch(path, { name: `tên ${i}` }, { 'If-Match': '"1"' }));
    const g = await coord.get(path);
    assert.equal(g.body.version, 2, 'one change, one version');
    assert.equal(g.body.name, w.body.name, 'the stored name is the winner\'s');
    await once('indicator DELETE', () => coord.del(path, { 'If-Match': '"2"' }), [412, 404]);
    assert.equal((await coord.get(path)).status, 404);
  }
});

test('closing a hunt with one If-Match succeeds once', T, async () => {
  const tag = uniq('hunt');
  const ind = await coord.post('/api/v1/indicators', { value: `${tag}.example`, tlp: 'GREEN', tags: [tag] });
  assert.equal(ind.status, 201, ind.text);
  for (let round = 0; round < ROUNDS; round++) {
    const h = await coord.post('/api/v1/hunts', { title: `Săn tìm ${uniq('')}`, tags: [tag],
      deadline: new Date(Date.now() + 7 * 86400_000).toISOString(), target_org_codes: ['pq-tamthanh'] });
    assert.equal(h.status, 201, h.text);
    const v = h.body.version;
    await once('hunt close', () => coord.post(`/api/v1/hunts/${h.body.id}/close`, null, { 'If-Match': `"${v}"` }));
    const g = await coord.get(`/api/v1/hunts/${h.body.id}`);
    assert.equal(g.body.version, v + 1);
  }
});

test('PATCH and transitions of an incident with one If-Match succeed once', T, async () => {
  for (let round = 0; round < ROUNDS; round++) {
    const inc = await file(tam);
    const path = `/api/v1/incidents/${inc.id}`;
    await once('incident PATCH', (i) => coord.patch(path, { title: `Tiêu đề mới số ${i} của sự cố` },
      { 'If-Match': `"${inc.version}"` }));
    const v = (await coord.get(path)).body.version;
    await once('incident transition', () => coord.post(`${path}/transitions`, { to: 'acknowledged' },
      { 'If-Match': `"${v}"` }));
    assert.equal((await coord.get(path)).body.version, v + 1);
  }
});

test('PATCH of a system and of a host with one If-Match succeeds once', T, async () => {
  for (let round = 0; round < ROUNDS; round++) {
    const s = await tam.post('/api/v1/systems', { name: `Hệ thống ${uniq('')}`, level: 2 });
    assert.equal(s.status, 201, s.text);
    await once('system PATCH', (i) => tam.patch(`/api/v1/systems/${s.body.id}`, { owner: `Chủ quản ${i}` },
      { 'If-Match': `"${s.body.version}"` }));
    const h = await tam.post('/api/v1/hosts', { hostname: `pc-${uniq('')}` });
    assert.equal(h.status, 201, h.text);
    await once('host PATCH', (i) => tam.patch(`/api/v1/hosts/${h.body.id}`, { role: `vai trò ${i}` },
      { 'If-Match': `"${h.body.version}"` }));
  }
});
