// A Mẫu 05 awaits the leader's approval between draft and sent (issue 17,
// h/duty): submitted by those who draft it, the leader told in the same
// transaction; approved (sent) or returned with a reason by the leader;
// nothing changes while it waits; every bad request refused with nothing
// changed (If-Match, reason bounds and types, bad UTF-8, another
// organisation's report).
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.mjs';
import { test, before, after, loginAs, assertProblem, raw } from './helpers.mjs';

let server; let coord; let lead; let tam; let m;
const im = (v) => ({ 'If-Match': `"${v}"` });
const path = () => `/api/v1/plan/mau05/${m.id}`;
const notes = async (c) => (await c.get('/api/v1/notifications?limit=200')).body.items.filter((n) => n.event === 'report.approval' && n.record.id === m.id);

before(async () => {
  server = await startServer();
  coord = await loginAs(server, 'dieuphoi');
  lead = await loginAs(server, 'lanhdao');
  tam = await loginAs(server, 'tamthanh');
  const r = await coord.post('/api/v1/plan/mau05', { period: 'half', year: 2024 });
  assert.equal(r.status, 201, r.text);
  m = r.body;
});
after(async () => { await server?.stop(); });

test('submit: read-only while it waits, the leader notified once; bad requests change nothing', async () => {
  assertProblem(await coord.post(`${path()}/submit`), 428);
  assertProblem(await coord.req('POST', `${path()}/submit`, undefined, im(m.version + 5)), 412);
  assertProblem(await lead.req('POST', `${path()}/approve`, undefined, im(m.version)), 409);   // not submitted
  assertProblem(await tam.req('POST', `${path()}/submit`, undefined, im(m.version)), 404);     // another organisation's
  assertProblem(await coord.req('POST', '/api/v1/plan/mau05/01900000-0000-7000-8000-000000000000/submit', undefined, im(1)), 404);
  assert.equal((await notes(lead)).length, 0);
  const s = await coord.req('POST', `${path()}/submit`, undefined, im(m.version));
  assert.equal(s.status, 200, s.text);
  m = s.body;
  assert.equal(m.status, 'submitted');
  assert.equal(m.approvals.length, 1);
  assert.equal(m.approvals[0].action, 'submit');
  assert.equal(m.approvals[0].by.username, 'dieuphoi');
  const n = await notes(lead);
  assert.equal(n.length, 1, 'the leader is told');
  assert.equal(n[0].link, `/#/plan/mau05/${m.id}`);
  assert.equal((await notes(coord)).length, 0, 'not the one who submitted');
  // while it waits: no edit, no second submit, no recount
  const e = await coord.req('PATCH', path(), { helpers: 'x' }, im(m.version));
  assertProblem(e, 409);
  assert.match(e.body.detail, /chờ lãnh đạo phê duyệt/);
  assertProblem(await coord.req('PATCH', path(), { recount: true }, im(m.version)), 409);
  assertProblem(await coord.req('POST', `${path()}/submit`, undefined, im(m.version)), 409);
  assertProblem(await coord.req('POST', `${path()}/approve`, undefined, im(m.version)), 403);
  assert.equal((await coord.get(path())).body.version, m.version);
});

test('return: a reason is required and bounded, then a draft again; submitted again, told again; approved: sent for good', async () => {
  for (const [body, status] of [
    [{}, 422], [{ reason: '' }, 422], [{ reason: 7 }, 422], [{ reason: 'x'.repeat(2001) }, 422],
    [{ reason: 'ok', extra: 1 }, 422], [[], 400],
  ]) assertProblem(await lead.req('POST', `${path()}/return`, body, im(m.version)), status);
  const bad = await raw(server.url, 'POST', `${path()}/return`, Buffer.from([0x7b, 0x22, 0x72, 0x65, 0x61, 0x73, 0x6f, 0x6e, 0x22, 0x3a, 0x22, 0xc3, 0x28, 0x22, 0x7d]),
    { 'Content-Type': 'application/json', Cookie: lead.cookie ?? '', 'X-CSRF-Token': lead.csrf ?? '', 'If-Match': `"${m.version}"` });
  assert.equal(bad.status, 400, 'bad UTF-8');
  assertProblem(await coord.req('POST', `${path()}/return`, { reason: 'Sai' }, im(m.version)), 403);
  assert.equal((await coord.get(path())).body.status, 'submitted');
  const r = await lead.req('POST', `${path()}/return`, { reason: 'Thiếu số liệu thiệt hại' }, im(m.version));
  assert.equal(r.status, 200, r.text);
  m = r.body;
  assert.equal(m.status, 'draft');
  assert.deepEqual(m.approvals.map((a) => a.action), ['submit', 'return']);
  assert.equal(m.approvals[1].reason, 'Thiếu số liệu thiệt hại');
  // a draft again: it can be edited, then submitted again: a second notice
  const e = await coord.req('PATCH', path(), { helpers: 'Sở TT&TT tỉnh' }, im(m.version));
  assert.equal(e.status, 200, e.text);
  m = (await coord.req('POST', `${path()}/submit`, undefined, im(e.body.version))).body;
  assert.equal((await notes(lead)).length, 2);
  const a = await lead.req('POST', `${path()}/approve`, undefined, im(m.version));
  assert.equal(a.status, 200, a.text);
  assert.equal(a.body.status, 'sent');
  assert.ok(a.body.sent_at);
  assert.deepEqual(a.body.approvals.map((x) => x.action), ['submit', 'return', 'submit', 'approve']);
  assertProblem(await lead.req('POST', `${path()}/approve`, undefined, im(a.body.version)), 409);
  assertProblem(await lead.req('POST', `${path()}/return`, { reason: 'x' }, im(a.body.version)), 409);
  assertProblem(await coord.req('POST', `${path()}/submit`, undefined, im(a.body.version)), 409);
  // the deadline list shows where each stands
  const l = (await coord.get('/api/v1/plan/mau05')).body;
  assert.ok(l.items.some((x) => x.id === m.id && x.status === 'sent'));
});
