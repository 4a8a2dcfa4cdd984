// What the server answered 201/200 for survives `kill -9` right after the
// answer: the incident, its move, its attachment are there after a restart.
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.mjs';
import { test, before, after, loginAs, bearer, report, getIncident, sha256 } from './helpers.mjs';

let server;

before(async () => { server = await startServer(); });
after(async () => { await server?.stop(); });

test('kill -9 right after a 201, then restart: the incident is there', async () => {
  const c = bearer(server, 'dieuphoi');
  const created = await c.post('/api/v1/incidents', report({ org_code: 'pq-tamthanh', title: 'Phải còn sau kill -9' }));
  assert.equal(created.status, 201, created.text);
  await server.kill9();
  await server.restart();
  const i = await getIncident(c, created.body.id);
  assert.equal(i.number, created.body.number);
  assert.equal(i.title, 'Phải còn sau kill -9');
  assert.equal(i.status, 'received');
  assert.equal(i.version, 1);
  assert.equal(i.timeline[0].kind, 'created');
  const list = await c.get('/api/v1/incidents?status=received&limit=200');
  assert.ok(list.body.items.some((x) => x.id === i.id));
  // the numbering goes on after the restart, no number is handed out twice
  const next = await c.post('/api/v1/incidents', report({ org_code: 'pq-tamthanh' }));
  assert.equal(next.status, 201, next.text);
  assert.equal(Number(next.body.number.split('-')[2]), Number(i.number.split('-')[2]) + 1);
});

test('kill -9 right after a transition and an attachment: both are there after restart', async () => {
  const c = bearer(server, 'dieuphoi');
  const created = await c.post('/api/v1/incidents', report({ org_code: 'pq-longhai' }));
  assert.equal(created.status, 201, created.text);
  const id = created.body.id;
  const m = await c.post(`/api/v1/incidents/${id}/transitions`, { to: 'acknowledged' }, { 'If-Match': '"1"' });
  assert.equal(m.status, 200, m.text);
  const bytes = Buffer.from('bằng chứng\n'.repeat(1000));
  const a = await c.post(`/api/v1/incidents/${id}/attachments`, bytes, { 'Content-Type': 'text/plain', 'X-Filename': 'bang-chung.txt' });
  assert.equal(a.status, 201, a.text);
  await server.kill9();
  await server.restart();
  const i = await getIncident(c, id);
  assert.equal(i.status, 'acknowledged');
  assert.equal(i.version, 2);
  assert.equal(i.attachments.length, 1);
  const d = await fetch(`${server.url}/api/v1/incidents/${id}/attachments/${a.body.id}`, { headers: { Authorization: `Bearer ${c.token}` } });
  assert.equal(d.status, 200);
  assert.equal(sha256(Buffer.from(await d.arrayBuffer())), sha256(bytes));
  // sessions survive too: a cookie from before the crash still works
  const s = await loginAs(server, 'tamthanh');
  await server.kill9();
  await server.restart();
  assert.equal((await s.get('/api/v1/session')).status, 200);
});

test('under 200 concurrent mixed requests every write is answered 201 and kept, every read 200', async () => {
  const c = bearer(server, 'dieuphoi');
  const ids = [];
  for (let k = 0; k < 5; k++) {
    const r = await c.post('/api/v1/incidents', report({ org_code: 'pq' }));
    assert.equal(r.status, 201, r.text);
    ids.push(r.body.id);
  }
  const before_ = (await c.get('/api/v1/incidents?limit=200')).body.items.length;
  const reqs = [];
  for (let k = 0; k < 200; k++) {
    const id = ids[k % 5];
    const m = k % 4;
    if (m === 0) reqs.push(c.post('/api/v1/incidents', report({ org_code: 'pq-vnpt' })));
    else if (m === 1) reqs.push(c.post(`/api/v1/incidents/${id}/comments`, { body: `bình luận ${k}` }));
    else if (m === 2) reqs.push(c.get(`/api/v1/incidents/${id}`));
    else reqs.push(c.get('/api/v1/incidents?limit=20'));
  }
  const rs = await Promise.all(reqs);
  const codes = {};
  for (const r of rs) codes[r.status] = (codes[r.status] ?? 0) + 1;
  assert.deepEqual(codes, { 200: 100, 201: 100 });
  for (const id of ids) {
    const g = await getIncident(c, id);
    assert.equal(g.comments.length, 10);
    assert.equal(g.timeline.filter((e) => e.kind === 'comment').length, 10);
  }
  assert.equal((await c.get('/api/v1/incidents?limit=200')).body.items.length, before_ + 50);
});
