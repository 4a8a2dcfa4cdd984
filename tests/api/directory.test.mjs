// The directory: organisations, people and the response forces' contacts.
// The admin creates; others read their part of the tree and are refused
// writes.
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.mjs';
import { test, before, after, Client, loginAs, assertProblem, newUser, file } from './helpers.mjs';

let server, admin, coord, tam, vnpt, lead;

before(async () => {
  server = await startServer();
  admin = await loginAs(server, 'admin');
  coord = await loginAs(server, 'dieuphoi');
  tam = await loginAs(server, 'tamthanh');
  vnpt = await loginAs(server, 'vnpt');
  lead = await loginAs(server, 'lanhdao');
});
after(async () => { await server?.stop(); });

test('GET /orgs: the caller\'s visible tree, with parents', async () => {
  const r = await coord.get('/api/v1/orgs');
  assert.equal(r.status, 200, r.text);
  const codes = r.body.items.map((o) => o.code);
  for (const c of ['pq', 'pq-vp', 'pq-vhtt', 'pq-kttc', 'pq-tamthanh', 'pq-longhai', 'pq-nguphung', 'pq-vnpt', 'pq-viettel']) {
    assert.ok(codes.includes(c), c);
  }
  for (const o of r.body.items) {
    for (const k of ['id', 'code', 'name', 'kind']) assert.equal(typeof o[k], 'string', k);
    assert.ok('parent_id' in o);
  }
  const byCode = Object.fromEntries(r.body.items.map((o) => [o.code, o]));
  assert.equal(byCode['pq-tamthanh'].parent_id, byCode.pq.id);
  assert.equal(byCode['pq-tamthanh'].kind, 'commune');
  assert.equal(byCode['pq-vnpt'].kind, 'telecom');
  // a commune sees itself (and the chain above), not its neighbours
  const t = (await tam.get('/api/v1/orgs')).body.items.map((o) => o.code);
  assert.ok(t.includes('pq-tamthanh'));
  assert.ok(!t.includes('pq-longhai'));
  assert.ok(!t.includes('pq-vnpt'));
});

test('POST /orgs: the admin creates an organisation (201); others 403; duplicates 409', async () => {
  const body = { code: 'pq-tanhai', name: 'UBND xã Tân Hải (thử)', kind: 'commune', parent_code: 'pq' };
  for (const c of [coord, tam, lead]) assertProblem(await c.post('/api/v1/orgs', body), 403);
  assert.ok(!(await admin.get('/api/v1/orgs')).body.items.some((o) => o.code === 'pq-tanhai'));
  const r = await admin.post('/api/v1/orgs', body);
  assert.equal(r.status, 201, r.text);
  assert.equal(r.body.code, 'pq-tanhai');
  assert.equal(r.body.name, body.name);
  assert.equal(r.body.kind, 'commune');
  assert.equal(typeof r.body.id, 'string');
  const list = (await coord.get('/api/v1/orgs')).body.items;
  const pq = list.find((o) => o.code === 'pq');
  const mine = list.find((o) => o.code === 'pq-tanhai');
  assert.ok(mine, 'the district coordinator sees the new commune');
  assert.equal(mine.parent_id, pq.id);
  assertProblem(await admin.post('/api/v1/orgs', body), 409);
  assertProblem(await admin.post('/api/v1/orgs', { ...body, code: 'x-1', parent_code: 'nowhere' }), 404);
  assertProblem(await admin.post('/api/v1/orgs', { ...body, code: 'x-2', kind: 'village' }), 422, '/kind');
  assertProblem(await admin.post('/api/v1/orgs', { code: 'x-3', name: 'n', kind: 'commune' }), 422, '/parent_code');
  assert.equal((await admin.get('/api/v1/orgs')).body.items.filter((o) => o.code.startsWith('x-')).length, 0);
});

test('the admin of the district cannot create an organisation above or beside the district', async () => {
  const r = await admin.post('/api/v1/orgs', { code: 'stttt-khac', name: 'Khác', kind: 'agency', parent_code: 'stttt-bth' });
  assert.ok([403, 404].includes(r.status), `got ${r.status} ${r.text}`);
  assertProblem(r, r.status);
  const all = (await (await loginAs(server, 'tinh')).get('/api/v1/orgs')).body.items;
  assert.ok(!all.some((o) => o.code === 'stttt-khac'));
});

test('POST /users: the admin creates a person who can then log in; others 403', async () => {
  const body = { username: 'canbo.tanhai', password: 'mot-mat-khau-dai', org_code: 'pq-tamthanh',
    roles: ['reporter', 'focal'], full_name: 'Cán bộ thử', email: 'canbo@example.vn', phone: '0900 000 000' };
  for (const c of [coord, tam, lead]) assertProblem(await c.post('/api/v1/users', body), 403);
  // outside the caller's scope the organisation is "not found" (policy.h)
  const out = await vnpt.post('/api/v1/users', body);
  assert.ok([403, 404].includes(out.status), `${out.status} ${out.text}`);
  assertProblem(out, out.status);
  const r = await admin.post('/api/v1/users', body);
  assert.equal(r.status, 201, r.text);
  const u = r.body;
  assert.equal(u.username, body.username);
  assert.equal(u.full_name, body.full_name);
  assert.equal(u.email, body.email);
  assert.equal(u.phone, body.phone);
  assert.deepEqual([...u.roles].sort(), ['focal', 'reporter']);
  assert.equal(u.org.code, 'pq-tamthanh');
  assert.equal(u.disabled, false);
  assert.equal(u.password, undefined);
  assert.ok(!JSON.stringify(u).includes(body.password), 'the password is never echoed');
  const c = new Client(server.url);
  const login = await c.login(body.username, body.password);
  assert.equal(login.status, 200, login.text);
  assert.equal(login.body.user.id, u.id);
  // and works in its commune
  const inc = await file(c);
  assert.equal(inc.org.code, 'pq-tamthanh');
  assertProblem(await admin.post('/api/v1/users', body), 409);
  assertProblem(await admin.post('/api/v1/users', { ...body, username: 'ngan', password: 'short' }), 422, '/password');
});

test('GET /users: own subtree only', async () => {
  const all = (await coord.get('/api/v1/users')).body.items.map((u) => u.username);
  for (const n of ['dieuphoi', 'tamthanh', 'longhai', 'vnpt', 'lanhdao']) assert.ok(all.includes(n), n);
  assert.ok(!all.includes('tinh'), 'the province is above the district');
  const r = await tam.get('/api/v1/users');
  assert.equal(r.status, 200);
  assert.ok(r.body.items.length >= 1);
  assert.ok(r.body.items.every((u) => u.org.code === 'pq-tamthanh'), JSON.stringify(r.body.items.map((u) => u.org.code)));
  for (const u of r.body.items) {
    assert.equal(u.pw_hash, undefined);
    assert.equal(u.password, undefined);
  }
});

test('POST /users/{id}/disable: admin only; the person can no longer log in', async () => {
  const nu = await newUser(admin, { org_code: 'pq-longhai' });
  for (const c of [coord, tam, lead]) {
    const r = await c.post(`/api/v1/users/${nu.user.id}/disable`);
    assert.ok([403, 404].includes(r.status), `${r.status} ${r.text}`);
    assertProblem(r, r.status);
  }
  assert.equal((await new Client(server.url).login(nu.username, nu.password)).status, 200);
  const r = await admin.post(`/api/v1/users/${nu.user.id}/disable`);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.disabled, true);
  assert.equal(r.body.id, nu.user.id);
  assertProblem(await new Client(server.url).login(nu.username, nu.password), 401);
  assertProblem(await admin.post('/api/v1/users/01900000-0000-7000-8000-000000000000/disable'), 404);
  assertProblem(await admin.post('/api/v1/users/not-an-id/disable'), 404);
});

test('GET /contacts: the response forces of the caller\'s tree and above', async () => {
  const r = await coord.get('/api/v1/contacts');
  assert.equal(r.status, 200, r.text);
  assert.ok(r.body.items.length >= 4);
  for (const c of r.body.items) {
    for (const k of ['id', 'name', 'phone', 'email', 'network_role']) assert.equal(typeof c[k], 'string', k);
    assert.equal(typeof c.on_duty, 'boolean');
    assert.equal(typeof c.org.code, 'string');
  }
  const orgs = new Set(r.body.items.map((c) => c.org.code));
  for (const o of ['pq', 'stttt-bth', 'vncert', 'pq-vnpt']) assert.ok(orgs.has(o), o);
  assert.ok(r.body.items.some((c) => c.on_duty) && r.body.items.some((c) => !c.on_duty));
  // a commune sees whom to call above it
  const t = (await tam.get('/api/v1/contacts')).body.items.map((c) => c.org.code);
  assert.ok(t.includes('pq') && t.includes('stttt-bth'));
  assert.ok(!t.includes('pq-vnpt'));
});

test('PATCH /contacts/{id}: on_duty toggles; refused for the wrong role; validation', async () => {
  const list = (await coord.get('/api/v1/contacts')).body.items;
  const c = list.find((x) => x.org.code === 'pq-vnpt');
  assert.ok(c);
  const path = `/api/v1/contacts/${c.id}`;
  // vnpt is in the contact's organisation but is no coordinator
  assertProblem(await vnpt.patch(path, { on_duty: !c.on_duty }), 403);
  assertProblem(await lead.patch(path, { on_duty: !c.on_duty }), 403);
  assertProblem(await coord.patch(path, { on_duty: 'yes' }), 422, '/on_duty');
  assertProblem(await coord.patch(path, { org_code: 'pq' }), 422, '/org_code');
  assertProblem(await coord.patch('/api/v1/contacts/01900000-0000-7000-8000-000000000000', { on_duty: true }), 404);
  const mid = (await coord.get('/api/v1/contacts')).body.items.find((x) => x.id === c.id);
  assert.equal(mid.on_duty, c.on_duty, 'refusals changed nothing');
  const r = await coord.patch(path, { on_duty: !c.on_duty, phone: '0252 3769 999' });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.on_duty, !c.on_duty);
  assert.equal(r.body.phone, '0252 3769 999');
  assert.equal(r.body.name, c.name);
  const after_ = (await coord.get('/api/v1/contacts')).body.items.find((x) => x.id === c.id);
  assert.equal(after_.on_duty, !c.on_duty);
  const back = await admin.patch(path, { on_duty: c.on_duty });
  assert.equal(back.status, 200, back.text);
  assert.equal(back.body.on_duty, c.on_duty);
  // the commune officer cannot change the district's contact
  const pqc = list.find((x) => x.org.code === 'pq');
  const tr = await tam.patch(`/api/v1/contacts/${pqc.id}`, { on_duty: !pqc.on_duty });
  assert.ok([403, 404].includes(tr.status), `${tr.status} ${tr.text}`);
  assert.equal((await coord.get('/api/v1/contacts')).body.items.find((x) => x.id === pqc.id).on_duty, pqc.on_duty);
});

test('POST /contacts: admin and coordinator create (201); others 403', async () => {
  const body = { org_code: 'pq-tamthanh', name: 'Trực ban xã Tam Thanh', phone: '0252 3769 300', email: 'tb@tamthanh.gov.vn', network_role: 'Đầu mối xã', on_duty: true };
  assertProblem(await tam.post('/api/v1/contacts', body), 403);
  assertProblem(await lead.post('/api/v1/contacts', body), 403);
  assertProblem(await coord.post('/api/v1/contacts', { ...body, org_code: 'nowhere' }), 422, '/org_code');
  assertProblem(await coord.post('/api/v1/contacts', { org_code: 'pq' }), 422, '/name');
  const r = await coord.post('/api/v1/contacts', body);
  assert.equal(r.status, 201, r.text);
  assert.equal(r.body.name, body.name);
  assert.equal(r.body.on_duty, true);
  assert.equal(r.body.org.code, 'pq-tamthanh');
  const r2 = await admin.post('/api/v1/contacts', { ...body, name: 'Trực ban 2', on_duty: false });
  assert.equal(r2.status, 201, r2.text);
  const names = (await tam.get('/api/v1/contacts')).body.items.map((c) => c.name);
  assert.ok(names.includes(body.name) && names.includes('Trực ban 2'));
  assert.equal(names.filter((n) => n === body.name).length, 1);
});
