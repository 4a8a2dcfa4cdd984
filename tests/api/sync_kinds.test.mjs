// What the federation's kinds add to the incident API (issue 16, h/sync-kinds):
// a comment may be a coordination direction (kind "direction", the one that
// travels down to the instance an incident came from), and every incident
// says whether it mirrors another instance's (mirror: null for our own).
// The exchange itself is tested in tests/unit/test_sync_kinds_apply.c and,
// between real instances, by h/sync-net's end-to-end tests.
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.mjs';
import { test, before, after, loginAs, file, getIncident, assertProblem } from './helpers.mjs';

let server;
let coord;   // dieuphoi: coordinator + responder of the district
let tam;     // tamthanh: reporter of commune Tam Thanh

before(async () => {
  server = await startServer();
  coord = await loginAs(server, 'dieuphoi');
  tam = await loginAs(server, 'tamthanh');
});
after(async () => { await server?.stop(); });

test('an incident of our own is no mirror', async () => {
  const i = await file(tam);
  assert.equal(i.mirror, null);
  const list = await coord.get('/api/v1/incidents?limit=5');
  assert.equal(list.status, 200, list.text);
  for (const row of list.body.items) assert.ok('mirror' in row);
});

test('POST comments with kind direction → 201, listed with its kind; a plain one is a comment', async () => {
  const i = await file(tam);
  const d = await coord.post(`/api/v1/incidents/${i.id}/comments`, { body: 'Cô lập máy chủ ngay', kind: 'direction' });
  assert.equal(d.status, 201, d.text);
  assert.equal(d.body.kind, 'direction');
  const c = await coord.post(`/api/v1/incidents/${i.id}/comments`, { body: 'Đã nhận' });
  assert.equal(c.status, 201, c.text);
  assert.equal(c.body.kind, 'comment');
  const full = await getIncident(coord, i.id);
  assert.deepEqual(full.comments.map((x) => x.kind), ['direction', 'comment']);
});

test('POST comments with an unknown or mistyped kind → 422 at /kind, nothing added', async () => {
  const i = await file(tam);
  for (const kind of ['order', 5, null, '', 'direction\u0000', 'DIRECTION']) {
    const r = await coord.post(`/api/v1/incidents/${i.id}/comments`, { body: 'x', kind });
    if (kind === null) {
      // null reads as missing: a plain comment
      assert.equal(r.status, 201, r.text);
      continue;
    }
    if (kind.includes?.('\u0000')) {
      assertProblem(r, 400);   // NUL is refused by the JSON reader itself
      continue;
    }
    assertProblem(r, 422, '/kind');
  }
  const full = await getIncident(coord, i.id);
  assert.equal(full.comments.length, 1);
});
