// Issue 12, item 4: a system's organisation can be corrected and a registry
// record (system, host) retired and put back -- audited, and only where the
// policy allows registry writes, in the caller's scope.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { startServer, bin, sqlite3 } from '../lib/server.mjs';
import { test, before, after, loginAs, assertProblem } from './helpers.mjs';

let server, coord, tam, lead;

before(async () => {
  server = await startServer();
  coord = await loginAs(server, 'dieuphoi');
  tam = await loginAs(server, 'tamthanh');
  lead = await loginAs(server, 'lanhdao');
});
after(async () => { await server?.stop(); });

/** The audit rows of an entity, oldest first (read from the database file). */
function audit(entityId) {
  const out = sqlite3(['-json', server.db,
    `SELECT action, before, after FROM audit_log WHERE entity_id = '${entityId.replace(/[^0-9a-f-]/g, '')}' ORDER BY seq`]).toString();
  return out.trim() ? JSON.parse(out) : [];
}

test('a system entered under the wrong organisation is corrected; its hosts move with it; audited', async () => {
  const s = await tam.post('/api/v1/systems', { name: 'Cổng thông tin xã (nhập nhầm)', level: 2 });
  assert.equal(s.status, 201, s.text);
  assert.equal(s.body.org.code, 'pq-tamthanh');
  assert.equal(s.body.retired_at, null);
  const h = await tam.post('/api/v1/hosts', { hostname: 'web-xa-01', system_id: s.body.id, addresses: ['203.0.113.20'] });
  assert.equal(h.status, 201, h.text);
  // The commune's officer cannot move it out of the commune's reach.
  assertProblem(await tam.patch(`/api/v1/systems/${s.body.id}`, { org_code: 'pq-longhai' }, { 'If-Match': `"${s.body.version}"` }), 422, '/org_code');
  // A read-only leader may not correct it.
  assertProblem(await lead.patch(`/api/v1/systems/${s.body.id}`, { org_code: 'pq-longhai' }, { 'If-Match': `"${s.body.version}"` }), 403);
  // The district coordinator corrects it.
  const m = await coord.patch(`/api/v1/systems/${s.body.id}`, { org_code: 'pq-longhai' }, { 'If-Match': `"${s.body.version}"` });
  assert.equal(m.status, 200, m.text);
  assert.equal(m.body.org.code, 'pq-longhai');
  assert.equal(m.body.version, s.body.version + 1);
  const host = await coord.get(`/api/v1/hosts/${h.body.id}`);
  assert.equal(host.body.org.code, 'pq-longhai', 'the host moved with its system');
  // Tam Thanh no longer sees it (out of scope: 404).
  assert.equal((await tam.get(`/api/v1/systems/${s.body.id}`)).status, 404);
  const rows = audit(s.body.id).filter((r) => r.action === 'system.update');
  assert.equal(rows.length, 1);
  assert.equal(JSON.parse(rows[0].before).org.code, 'pq-tamthanh');
  assert.equal(JSON.parse(rows[0].after).org.code, 'pq-longhai');
  // An unknown organisation is refused and changes nothing.
  assertProblem(await coord.patch(`/api/v1/systems/${s.body.id}`, { org_code: 'khong-co' }, { 'If-Match': `"${m.body.version}"` }), 422, '/org_code');
  assert.equal((await coord.get(`/api/v1/systems/${s.body.id}`)).body.org.code, 'pq-longhai');
});

test('a system and a host are retired and put back in use; audited; by registry writers only', async () => {
  const s = await tam.post('/api/v1/systems', { name: 'Phần mềm một cửa cũ' });
  assert.equal(s.status, 201, s.text);
  assertProblem(await lead.patch(`/api/v1/systems/${s.body.id}`, { retired: true }, { 'If-Match': `"${s.body.version}"` }), 403);
  assertProblem(await tam.patch(`/api/v1/systems/${s.body.id}`, { retired: 'yes' }, { 'If-Match': `"${s.body.version}"` }), 422, '/retired');
  const r = await tam.patch(`/api/v1/systems/${s.body.id}`, { retired: true }, { 'If-Match': `"${s.body.version}"` });
  assert.equal(r.status, 200, r.text);
  assert.ok(r.body.retired_at, 'retired_at set');
  const again = await tam.patch(`/api/v1/systems/${s.body.id}`, { retired: true }, { 'If-Match': `"${r.body.version}"` });
  assert.equal(again.body.retired_at, r.body.retired_at, 'retiring twice keeps the first time');
  const back = await tam.patch(`/api/v1/systems/${s.body.id}`, { retired: false }, { 'If-Match': `"${again.body.version}"` });
  assert.equal(back.body.retired_at, null);
  assert.deepEqual(audit(s.body.id).map((x) => x.action), ['system.create', 'system.update', 'system.update', 'system.update']);

  const h = await tam.post('/api/v1/hosts', { hostname: 'may-cu-02' });
  assert.equal(h.status, 201, h.text);
  const hr = await tam.patch(`/api/v1/hosts/${h.body.id}`, { retired: true }, { 'If-Match': `"${h.body.version}"` });
  assert.equal(hr.status, 200, hr.text);
  assert.ok(hr.body.retired_at);
  const list = await tam.get('/api/v1/hosts');
  assert.ok(list.body.items.find((x) => x.id === h.body.id).retired_at, 'listed, flagged');
});
