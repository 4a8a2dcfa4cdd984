// Incidents: filing (Mẫu 03), reading, listing with filters and pagination,
// editing with If-Match, organisation scope, the leader's read-only view,
// deadlines, the dashboard and the vocabularies.
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.mjs';
import {
  test, before, after, Client, loginAs, bearer, report, file, move, moveOk, getIncident, countIncidents,
  assertProblem, raw, userByName,
} from './helpers.mjs';

let server;
let coord;   // dieuphoi: coordinator + responder of the district
let tam;     // tamthanh: reporter + focal of commune Tam Thanh
let longhai; // longhai: reporter of commune Long Hải

before(async () => {
  server = await startServer();
  coord = await loginAs(server, 'dieuphoi');
  tam = await loginAs(server, 'tamthanh');
  longhai = await loginAs(server, 'longhai');
});
after(async () => { await server?.stop(); });

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{3})?Z$/;

function yearInVietnam() {
  return new Intl.DateTimeFormat('en', { timeZone: 'Asia/Ho_Chi_Minh', year: 'numeric' }).format(new Date());
}

test('POST /incidents → 201 with id, number, status received, version 1, deadlines, ETag "1"', async () => {
  const body = report({
    type: 'defacement',
    reporter: { name: 'Trần Thị Bích', address: 'UBND xã Tam Thanh', phone: '0252 3769 200', email: 'bich@tamthanh.gov.vn' },
    contact: { name: 'Trần Thị Bích', position: 'Công chức văn phòng', phone: '0912 000 111' },
    system: { name: 'Cổng thông tin xã', operator: 'UBND xã', owner: 'UBND xã', level: 2,
      domains: ['tamthanh.phuquy.binhthuan.gov.vn'], ips: ['203.0.113.10'] },
    handling_status: 'not_handled',
    detection_method: { kind: 'log_review', detail: 'Xem nhật ký máy chủ web' },
    notified: ['isp', 'coordinator'],
    details: { os: 'Ubuntu 22.04', services: ['web', 'db'], measures: ['firewall'], public_ips: ['203.0.113.10'], purpose: 'Thông tin cho người dân' },
    support_needed: 'Đề nghị hỗ trợ khôi phục',
  });
  const r = await tam.post('/api/v1/incidents', body);
  assert.equal(r.status, 201, r.text);
  assert.equal(r.headers.get('etag'), '"1"');
  const i = r.body;
  assert.match(i.id, UUID);
  assert.equal(r.headers.get('location'), `/api/v1/incidents/${i.id}`);
  assert.match(i.number, new RegExp(`^PQ-${yearInVietnam()}-\\d{4}$`));
  assert.equal(i.status, 'received');
  assert.equal(i.version, 1);
  assert.equal(i.title, body.title);
  assert.equal(i.description, body.description);
  assert.equal(i.type, 'defacement');
  assert.equal(i.severity, null);
  assert.equal(i.serious, false);
  assert.equal(i.escalate, false);
  assert.equal(i.org.code, 'pq-tamthanh');
  assert.equal(i.created_by.username, 'tamthanh');
  assert.deepEqual(i.system, body.system);
  assert.deepEqual(i.reporter, body.reporter);
  assert.deepEqual(i.contact, body.contact);
  assert.deepEqual(i.details, body.details);
  assert.deepEqual(i.detection_method, body.detection_method);
  assert.deepEqual(i.notified, body.notified);
  assert.equal(i.handling_status, 'not_handled');
  assert.equal(i.support_needed, body.support_needed);
  assert.equal(i.tlp, 'AMBER');
  assert.equal(i.reject_reason, null);
  assert.equal(i.closing_report, null);
  assert.equal(new Date(i.detected_at).getTime(), new Date(body.detected_at).getTime());
  for (const k of ['detected_at', 'created_at', 'updated_at']) assert.match(i[k], TIME, k);
  assert.ok(Array.isArray(i.deadlines));
  assert.equal(i.deadlines.length, 1);
  const d = i.deadlines[0];
  assert.equal(d.kind, 'ack');
  assert.match(d.due_at, TIME);
  assert.equal(d.met_at, null);
  assert.equal(d.overdue, false);
  // the acknowledge clock: 2 h by default (regulation.md §13, T5)
  const due = new Date(d.due_at) - new Date(i.created_at);
  assert.ok(Math.abs(due - 2 * 3600_000) < 5000, `ack due after ${due} ms`);
  assert.deepEqual(i.allowed_transitions, [], 'a reporter may not move it');
});

test('the reporter may name no org (own by default) and not an org outside the scope', async () => {
  const r = await longhai.post('/api/v1/incidents', report({ org_code: 'pq-tamthanh' }));
  assertProblem(r, 422, '/org_code');
  const own = await file(longhai);
  assert.equal(own.org.code, 'pq-longhai');
  const byCoord = await file(coord, { org_code: 'pq-vnpt' });
  assert.equal(byCoord.org.code, 'pq-vnpt');
  assert.deepEqual(byCoord.allowed_transitions, ['acknowledged']);
});

test('confidential makes TLP at least AMBER; an explicit TLP is kept', async () => {
  const a = await file(tam, { confidential: true, tlp: 'GREEN' });
  assert.equal(a.confidential, true);
  assert.equal(a.tlp, 'AMBER');
  const b = await file(tam, { tlp: 'RED' });
  assert.equal(b.tlp, 'RED');
  const c = await file(tam, { tlp: 'CLEAR' });
  assert.equal(c.tlp, 'CLEAR');
});

test('numbers are consecutive and unique', async () => {
  const a = await file(tam);
  const b = await file(tam);
  const na = Number(a.number.split('-')[2]);
  const nb = Number(b.number.split('-')[2]);
  assert.equal(nb, na + 1);
});

test('GET /incidents/{id} answers the incident, ETag and a timeline oldest first', async () => {
  const i = await file(tam);
  const r = await tam.get(`/api/v1/incidents/${i.id}`);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.headers.get('etag'), '"1"');
  assert.equal(r.headers.get('cache-control'), 'no-store', 'an incident is not kept in shared caches');
  assert.equal(r.body.id, i.id);
  assert.equal(r.body.number, i.number);
  for (const k of ['tasks', 'observables', 'comments', 'attachments', 'support_requests', 'reports', 'timeline']) {
    assert.ok(Array.isArray(r.body[k]), k);
  }
  assert.equal(r.body.timeline.length, 1);
  const ev = r.body.timeline[0];
  assert.equal(ev.kind, 'created');
  assert.match(ev.id, UUID);
  assert.match(ev.at, TIME);
  assert.equal(ev.actor.username, 'tamthanh');
  assert.equal(typeof ev.data, 'object');
});

test('unknown or malformed incident ids → 404', async () => {
  assertProblem(await coord.get('/api/v1/incidents/01900000-0000-7000-8000-000000000000'), 404);
  assertProblem(await coord.get('/api/v1/incidents/not-a-uuid'), 404);
  assertProblem(await move(coord, '01900000-0000-7000-8000-000000000000', { to: 'acknowledged' }, 1), 404);
});

test('an officer of one commune gets 404 for another commune\'s incident, for every action', async () => {
  const i = await file(tam);
  const base = `/api/v1/incidents/${i.id}`;
  const att = await tam.post(`${base}/attachments`, 'nội dung', { 'Content-Type': 'text/plain', 'X-Filename': 'a.txt' });
  assert.equal(att.status, 201, att.text);
  const h = { 'If-Match': '"1"' };
  assertProblem(await longhai.get(base), 404);
  assertProblem(await longhai.patch(base, { title: 'đổi' }, h), 404);
  assertProblem(await longhai.post(`${base}/transitions`, { to: 'acknowledged' }, h), 404);
  assertProblem(await longhai.post(`${base}/comments`, { body: 'xin chào' }), 404);
  assertProblem(await longhai.post(`${base}/observables`, { kind: 'ip', value: '203.0.113.1' }), 404);
  assertProblem(await longhai.post(`${base}/attachments`, 'x', { 'Content-Type': 'text/plain', 'X-Filename': 'b.txt' }), 404);
  assertProblem(await longhai.get(`${base}/attachments/${att.body.id}`), 404);
  const other = await loginAs(server, 'vnpt');
  assertProblem(await other.get(base), 404);
  assertProblem(await other.post(`${base}/tasks`, { title: 'việc' }), 404);
  assertProblem(await other.post(`${base}/reports`, { kind: 'progress' }), 404);
  // not in their lists either
  const list = await longhai.get('/api/v1/incidents?limit=200');
  assert.ok(!list.body.items.some((x) => x.id === i.id));
  const dl = await longhai.get('/api/v1/deadlines');
  assert.ok(!dl.body.items.some((x) => x.incident.id === i.id));
  // nothing changed
  const after_ = await getIncident(tam, i.id);
  assert.equal(after_.version, 1);
  assert.equal(after_.comments.length, 0);
  assert.equal(after_.observables.length, 0);
  assert.equal(after_.attachments.length, 1);
  // the district and the province above see it
  assert.equal((await coord.get(base)).status, 200);
  assert.equal((await (await loginAs(server, 'tinh')).get(base)).status, 200);
});

test('assignees are of the incident\'s organisation or above it; nobody else gains access by assignment', async () => {
  const i = await file(tam);
  const vnpt = await loginAs(server, 'vnpt');
  assertProblem(await vnpt.get(`/api/v1/incidents/${i.id}`), 404);
  const u = await userByName(coord, 'vnpt');
  assertProblem(await tam.post(`/api/v1/incidents/${i.id}/assignees`, { user_id: u.id }), 403);
  // issue 11 item 4c: a telecom beside the commune is not an organisation that works on it
  assertProblem(await coord.post(`/api/v1/incidents/${i.id}/assignees`, { user_id: u.id }), 422, '/user_id');
  assertProblem(await vnpt.get(`/api/v1/incidents/${i.id}`), 404);
  // the commune's own people and the district's may be assigned
  for (const name of ['tamthanh', 'dieuphoi']) {
    const r = await coord.post(`/api/v1/incidents/${i.id}/assignees`, { user_id: (await userByName(coord, name)).id });
    assert.equal(r.status, 201, `${name}: ${r.text}`);
  }
  const g = await coord.get(`/api/v1/incidents/${i.id}`);
  assert.deepEqual(g.body.assignees.map((a) => a.username).sort(), ['dieuphoi', 'tamthanh']);
  assertProblem(await coord.post(`/api/v1/incidents/${i.id}/assignees`, { user_id: '01900000-0000-7000-8000-000000000000' }), 422, '/user_id');
});

test('the leader can read everything in the district but not move, file or write', async () => {
  const lead = await loginAs(server, 'lanhdao');
  const i = await file(tam);
  const g = await lead.get(`/api/v1/incidents/${i.id}`);
  assert.equal(g.status, 200, g.text);
  assert.deepEqual(g.body.allowed_transitions, []);
  const list = await lead.get('/api/v1/incidents?limit=200');
  assert.equal(list.status, 200);
  assert.ok(list.body.items.some((x) => x.id === i.id));
  assert.equal((await lead.get('/api/v1/stats')).status, 200);
  assert.equal((await lead.get('/api/v1/deadlines')).status, 200);
  const n = await countIncidents(lead);
  assertProblem(await move(lead, i.id, { to: 'acknowledged' }, 1), 403);
  assertProblem(await lead.post('/api/v1/incidents', report()), 403);
  assertProblem(await lead.post(`/api/v1/incidents/${i.id}/comments`, { body: 'ý kiến' }), 403);
  assertProblem(await lead.patch(`/api/v1/incidents/${i.id}`, { title: 'đổi' }, { 'If-Match': '"1"' }), 403);
  assert.equal(await countIncidents(lead), n);
  const again = await getIncident(coord, i.id);
  assert.equal(again.version, 1);
  assert.equal(again.status, 'received');
  assert.equal(again.comments.length, 0);
});

test('a reporter-only officer files but cannot edit the report afterwards (focal, coordinator, responder may)', async () => {
  const i = await file(longhai);
  assertProblem(await longhai.patch(`/api/v1/incidents/${i.id}`, { title: 'Sửa' }, { 'If-Match': '"1"' }), 403);
  assert.equal((await getIncident(longhai, i.id)).version, 1);
  const r = await coord.patch(`/api/v1/incidents/${i.id}`, { title: 'Sửa' }, { 'If-Match': '"1"' });
  assert.equal(r.status, 200, r.text);
});

test('the admin account reads but cannot file or move incidents', async () => {
  const admin = await loginAs(server, 'admin');
  const i = await file(tam);
  assert.equal((await admin.get(`/api/v1/incidents/${i.id}`)).status, 200);
  assertProblem(await admin.post('/api/v1/incidents', report()), 403);
  assertProblem(await move(admin, i.id, { to: 'acknowledged' }, 1), 403);
});

test('PATCH /incidents/{id}: If-Match required (428), stale (412), ok → 200 version+1', async () => {
  const i = await file(tam);
  const path = `/api/v1/incidents/${i.id}`;
  assertProblem(await tam.patch(path, { title: 'Tiêu đề mới' }), 428);
  assertProblem(await tam.patch(path, { title: 'Tiêu đề mới' }, { 'If-Match': '"7"' }), 412);
  assertProblem(await tam.patch(path, { title: 'Tiêu đề mới', status: 'closed' }, { 'If-Match': '"1"' }), 422, '/status');
  assertProblem(await tam.patch(path, { title: 'x'.repeat(301) }, { 'If-Match': '"1"' }), 422, '/title');
  assert.equal((await getIncident(tam, i.id)).version, 1);
  const r = await tam.patch(path, { title: 'Tiêu đề mới', system: { name: 'Máy chủ thư', level: 3 } }, { 'If-Match': '"1"' });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.headers.get('etag'), '"2"');
  assert.equal(r.body.version, 2);
  assert.equal(r.body.title, 'Tiêu đề mới');
  assert.equal(r.body.description, i.description);
  assert.deepEqual(r.body.system, { name: 'Máy chủ thư', level: 3 });
  assert.equal(r.body.status, 'received');
  // the old version is now stale
  assertProblem(await tam.patch(path, { title: 'Lần nữa' }, { 'If-Match': '"1"' }), 412);
  assert.equal((await getIncident(tam, i.id)).title, 'Tiêu đề mới');
  // null removes an optional group; confidential keeps TLP at least AMBER
  const r3 = await tam.patch(path, { system: null, confidential: true, tlp: 'GREEN' }, { 'If-Match': '"2"' });
  assert.equal(r3.status, 200, r3.text);
  assert.equal(r3.body.system, null);
  assert.equal(r3.body.confidential, true);
  assert.equal(r3.body.tlp, 'AMBER');
  assert.equal(r3.body.title, 'Tiêu đề mới');
  assertProblem(await tam.patch(path, { title: null }, { 'If-Match': '"3"' }), 422, '/title');
  const g = await getIncident(tam, i.id);
  assert.equal(g.version, 3);
  assert.ok(g.timeline.some((e) => e.kind === 'updated'), 'an edit is on the timeline');
});

test('GET /incidents lists newest first as {items, next_cursor} without timelines', async () => {
  const a = await file(tam);
  const b = await file(tam);
  const r = await coord.get('/api/v1/incidents');
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(Object.keys(r.body).sort(), ['items', 'next_cursor']);
  const ids = r.body.items.map((x) => x.id);
  assert.ok(ids.indexOf(b.id) < ids.indexOf(a.id), 'newest first');
  assert.ok(ids.indexOf(b.id) >= 0);
  for (const it of r.body.items) {
    assert.equal(it.timeline, undefined);
    assert.ok(Array.isArray(it.deadlines));
    assert.equal(typeof it.number, 'string');
  }
});

test('pagination: limit + cursor walk every incident once, in order', async () => {
  for (let k = 0; k < 3; k++) await file(tam);
  const all = (await coord.get('/api/v1/incidents?limit=200')).body;
  assert.equal(all.next_cursor, null);
  assert.ok(all.items.length >= 10);
  const seen = [];
  let cursor = null;
  let pages = 0;
  do {
    const r = await coord.get(`/api/v1/incidents?limit=3${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    assert.equal(r.status, 200, r.text);
    assert.ok(r.body.items.length <= 3);
    if (r.body.next_cursor) assert.equal(r.body.items.length, 3);
    seen.push(...r.body.items.map((x) => x.id));
    cursor = r.body.next_cursor;
    pages += 1;
  } while (cursor && pages < 100);
  assert.deepEqual(seen, all.items.map((x) => x.id));
  assert.equal(new Set(seen).size, seen.length);
  assert.equal(pages, Math.ceil(all.items.length / 3));
  // default page size is 50
  assert.ok((await coord.get('/api/v1/incidents')).body.items.length <= 50);
});

test('list: bad limit, cursor, status, type or severity → 422', async () => {
  for (const q of ['limit=0', 'limit=201', 'limit=abc', 'cursor=xyz', 'status=opened', 'type=virus', 'severity=huge', 'status=received,bogus']) {
    assertProblem(await coord.get(`/api/v1/incidents?${q}`), 422);
  }
});

test('list filters: status, org, type, severity, overdue', async () => {
  const phish = await file(tam, { type: 'phishing' });
  const dos = await file(longhai, { type: 'dos' });
  const q = async (s) => {
    const r = await coord.get(`/api/v1/incidents?limit=200&${s}`);
    assert.equal(r.status, 200, r.text);
    return r.body.items;
  };
  const received = await q('status=received');
  assert.ok(received.length > 0);
  assert.ok(received.every((x) => x.status === 'received'));
  assert.ok(received.some((x) => x.id === phish.id));
  const two = await q('status=closed,rejected');
  assert.ok(two.length >= 2, 'the demo has a closed and a rejected one');
  assert.ok(two.every((x) => ['closed', 'rejected'].includes(x.status)));
  assert.deepEqual(new Set(two.map((x) => x.status)), new Set(['closed', 'rejected']));

  const tamList = await q('org=pq-tamthanh');
  assert.ok(tamList.length > 0);
  assert.ok(tamList.every((x) => x.org.code === 'pq-tamthanh'));
  assert.ok(tamList.some((x) => x.id === phish.id));
  assert.ok(!tamList.some((x) => x.id === dos.id));
  // an org filter covers the subtree
  const district = await q('org=pq');
  const every = await q('');
  assert.equal(district.length, every.length);

  const dosList = await q('type=dos');
  assert.ok(dosList.every((x) => x.type === 'dos'));
  assert.ok(dosList.some((x) => x.id === dos.id));
  assert.ok(!dosList.some((x) => x.id === phish.id));

  const medium = await q('severity=medium');
  assert.ok(medium.length >= 1, 'the demo phishing incident is medium');
  assert.ok(medium.every((x) => x.severity === 'medium'));

  const overdue = await q('overdue=true');
  assert.ok(overdue.length >= 1, 'the demo has overdue incidents');
  assert.ok(overdue.every((x) => x.overdue === true && x.deadlines.some((d) => d.overdue && d.met_at === null)));
  assert.ok(!overdue.some((x) => x.id === phish.id), 'a new incident is not overdue');

  const both = await q('status=received&org=pq-longhai&type=dos');
  assert.ok(both.some((x) => x.id === dos.id));
  assert.ok(both.every((x) => x.status === 'received' && x.org.code === 'pq-longhai' && x.type === 'dos'));

  // q matches the title or the number
  const byNumber = await q(`q=${encodeURIComponent(phish.number)}`);
  assert.deepEqual(byNumber.map((x) => x.id), [phish.id]);
  const byWords = await q(`q=${encodeURIComponent('giả mạo')}`);
  assert.ok(byWords.length >= 1);
  assert.ok(byWords.every((x) => x.title.includes('giả mạo')), JSON.stringify(byWords.map((x) => x.title)));
});

test('q is words, not a pattern: % and _ are no wildcards', async () => {
  // Full-text search (issue 12): punctuation separates words, so "50%"
  // searches the word 50 and "ho_so" the words ho, so; a lone % or _ is no
  // word and finds nothing (before FTS5 it matched itself by instr()).
  const pct = await file(tam, { title: 'Băng thông giảm 50% vào giờ cao điểm' });
  const under = await file(tam, { title: 'Tệp lạ tên ho_so_mat.exe' });
  const q = async (text) => {
    const r = await coord.get(`/api/v1/incidents?limit=200&q=${encodeURIComponent(text)}`);
    assert.equal(r.status, 200, r.text);
    return r.body.items.map((x) => x.id);
  };
  assert.ok((await q('50%')).includes(pct.id));
  assert.deepEqual(await q('%'), []);
  assert.deepEqual(await q('ho_so_mat'), [under.id]);
  assert.deepEqual(await q('_'), []);
});

test('a commune officer lists only the own commune\'s incidents', async () => {
  const mine = await file(longhai);
  const r = await longhai.get('/api/v1/incidents?limit=200');
  assert.equal(r.status, 200);
  assert.ok(r.body.items.length >= 1);
  assert.ok(r.body.items.every((x) => x.org.code === 'pq-longhai'));
  assert.ok(r.body.items.some((x) => x.id === mine.id));
});

test('GET /deadlines?overdue=true lists the overdue deadlines of the demo', async () => {
  const r = await coord.get('/api/v1/deadlines?overdue=true');
  assert.equal(r.status, 200, r.text);
  assert.ok(r.body.items.length >= 1);
  for (const d of r.body.items) {
    assert.equal(d.overdue, true);
    assert.equal(d.met_at, null);
    assert.ok(new Date(d.due_at).getTime() < Date.now());
    assert.match(d.incident.id, UUID);
    assert.match(d.incident.number, /^PQ-\d{4}-\d{4}$/);
    assert.equal(typeof d.incident.title, 'string');
    assert.ok(['ack', 'notification', 'initial_report', 'closing_report'].includes(d.kind));
  }
  const kinds = new Set(r.body.items.map((d) => d.kind));
  assert.ok(kinds.has('ack'), 'the DoS report of 3 h ago was never acknowledged');
  const all = await coord.get('/api/v1/deadlines');
  assert.equal(all.status, 200);
  assert.ok(all.body.items.length > r.body.items.length, 'without the filter: also the future ones');
  assert.ok(all.body.items.some((d) => d.overdue === false));
});

test('GET /stats answers the dashboard figures', async () => {
  const r = await coord.get('/api/v1/stats');
  assert.equal(r.status, 200, r.text);
  const s = r.body;
  for (const k of ['by_status', 'by_severity', 'by_type']) assert.equal(typeof s[k], 'object', k);
  assert.ok(Array.isArray(s.by_month));
  assert.ok(Array.isArray(s.by_org));
  const total = await countIncidents(coord);
  const sum = (o) => Object.values(o).reduce((a, b) => a + b, 0);
  assert.equal(sum(s.by_status), total);
  assert.equal(sum(s.by_type), total);
  assert.equal(s.by_month.reduce((a, m) => a + m.count, 0), total);
  for (const m of s.by_month) assert.match(m.month, /^\d{4}-\d{2}$/);
  assert.equal(s.by_org.reduce((a, o) => a + o.total, 0), total);
  for (const o of s.by_org) {
    assert.equal(typeof o.org.code, 'string');
    assert.ok(o.open <= o.total);
  }
  const open = (await coord.get('/api/v1/incidents?limit=200')).body.items
    .filter((x) => !['closed', 'rejected'].includes(x.status)).length;
  assert.equal(s.open, open);
  assert.ok(s.overdue >= 1);
  assert.equal(s.by_status.closed, 1);
  assert.equal(s.by_status.rejected, 1);
  // a commune sees its own figures only
  const t = (await longhai.get('/api/v1/stats')).body;
  assert.equal(sum(t.by_status), await countIncidents(longhai));
  assert.ok(t.by_org.every((o) => o.org.code === 'pq-longhai'));
});

test('GET /meta answers the vocabularies and the transition table without login', async () => {
  const r = await raw(server.url, 'GET', '/api/v1/meta');
  assert.equal(r.status, 200, r.text);
  const m = r.body;
  for (const k of ['incident_types', 'severities', 'states', 'deadline_kinds', 'report_kinds', 'observable_kinds']) {
    assert.ok(Array.isArray(m[k]) && m[k].length > 0, k);
    for (const l of m[k]) {
      assert.equal(typeof l.code, 'string');
      assert.equal(typeof l.vi, 'string');
      assert.equal(typeof l.en, 'string');
    }
  }
  assert.deepEqual(m.incident_types.map((t) => t.code),
    ['dos', 'phishing', 'malware', 'intrusion', 'defacement', 'encryption', 'destruction', 'espionage', 'combined', 'other']);
  assert.deepEqual(m.states.map((t) => t.code),
    ['received', 'acknowledged', 'verified', 'rejected', 'classified', 'containing', 'eradicating', 'recovering', 'reviewing', 'closed']);
  assert.deepEqual(m.tlp, ['CLEAR', 'GREEN', 'AMBER', 'AMBER+STRICT', 'RED']);
  assert.ok(m.roles.includes('coordinator') && m.roles.includes('leader'));
  const t = (from, to) => m.transitions.find((x) => x.from === from && x.to === to);
  assert.deepEqual(t('received', 'acknowledged'), { from: 'received', to: 'acknowledged', roles: ['coordinator'], needs: [] });
  assert.deepEqual(t('acknowledged', 'rejected').needs, ['reason']);
  assert.deepEqual(t('verified', 'classified').needs, ['severity']);
  assert.deepEqual(t('reviewing', 'closed').needs, ['closing_report']);
  assert.deepEqual(t('closed', 'containing').needs, ['reason']);
  assert.deepEqual([...t('classified', 'containing').roles].sort(), ['coordinator', 'responder']);
  assert.equal(m.transitions.length, 12);
});

test('Accept-Language: en gives English, anything else Vietnamese', async () => {
  const en = new Client(server.url, { lang: 'en' });
  const l = server.login('dieuphoi');
  await en.login(l.username, l.password);
  const vi = await loginAs(server, 'dieuphoi', { lang: 'vi-VN' });
  const bad = report({ type: 'virus' });
  const pe = assertProblem(await en.post('/api/v1/incidents', bad), 422, '/type');
  const pv = assertProblem(await vi.post('/api/v1/incidents', bad), 422, '/type');
  assert.equal(pe.title, 'Unprocessable content');
  assert.match(pe.errors[0].detail, /^Invalid value/);
  assert.equal(pv.title, 'Dữ liệu không hợp lệ');
  assert.match(pv.errors[0].detail, /^Giá trị không hợp lệ/);
  const nf = assertProblem(await en.get('/api/v1/incidents/01900000-0000-7000-8000-000000000000'), 404);
  assert.equal(nf.title, 'Not found');
  const anon = await raw(server.url, 'GET', '/api/v1/incidents', undefined, { 'Accept-Language': 'en-GB,en;q=0.9' });
  assert.equal(assertProblem(anon, 401).title, 'Unauthorized');
  const anonVi = await raw(server.url, 'GET', '/api/v1/incidents');
  assert.equal(assertProblem(anonVi, 401).title, 'Chưa đăng nhập');
  const viFirst = await raw(server.url, 'GET', '/api/v1/incidents', undefined, { 'Accept-Language': 'vi, en;q=0.8' });
  assert.equal(assertProblem(viFirst, 401).title, 'Chưa đăng nhập');
});

test('an API token (Bearer) files and reads like a session', async () => {
  const c = bearer(server, 'dieuphoi');
  const i = await file(c, { org_code: 'pq-nguphung' });
  assert.equal(i.org.code, 'pq-nguphung');
  const m = await moveOk(c, i.id, { to: 'acknowledged' }, 1);
  assert.equal(m.version, 2);
});

test('an incident escalated to the province team stays out of other communes\' reach', async () => {
  const i = await file(tam);
  await moveOk(coord, i.id, { to: 'acknowledged' }, 1);
  const s = await coord.post(`/api/v1/incidents/${i.id}/support-requests`, { summary: 'Đề nghị tỉnh hỗ trợ' });
  assert.equal(s.status, 201, s.text);
  assert.equal(s.body.to_org.code, 'stttt-bth');
  // the asked province team now sees it …
  assert.equal((await (await loginAs(server, 'tinh')).get(`/api/v1/incidents/${i.id}`)).status, 200);
  // … but a commune officer elsewhere in the district must not
  assertProblem(await longhai.get(`/api/v1/incidents/${i.id}`), 404);
  assertProblem(await longhai.post(`/api/v1/incidents/${i.id}/comments`, { body: 'không được phép' }), 404);
  const list = await longhai.get('/api/v1/incidents?limit=200');
  assert.ok(!list.body.items.some((x) => x.id === i.id));
  assert.equal((await getIncident(coord, i.id)).comments.length, 0);
});

test('two coordinators never overwrite each other: of concurrent writes with one If-Match exactly one wins', async () => {
  const i = await file(tam);
  const path = `/api/v1/incidents/${i.id}`;
  const other = await loginAs(server, 'dieuphoi');
  const patches = await Promise.all(Array.from({ length: 12 }, (_, k) =>
    (k % 2 ? coord : other).patch(path, { title: `Tiêu đề ${k}` }, { 'If-Match': '"1"' })));
  const codes = patches.map((r) => r.status).sort();
  assert.deepEqual(codes, [200, ...Array(11).fill(412)], `PATCH codes ${codes}`);
  const winner = patches.find((r) => r.status === 200).body.title;
  const moves = await Promise.all(Array.from({ length: 12 }, (_, k) =>
    (k % 2 ? coord : other).post(`${path}/transitions`, { to: 'acknowledged' }, { 'If-Match': '"2"' })));
  assert.deepEqual(moves.map((r) => r.status).sort(), [200, ...Array(11).fill(412)]);
  const g = await getIncident(coord, i.id);
  assert.equal(g.version, 3);
  assert.equal(g.title, winner);
  assert.equal(g.timeline.filter((e) => e.kind === 'transition').length, 1);
});

test('concurrent reports get distinct, consecutive numbers', async () => {
  const rs = await Promise.all(Array.from({ length: 16 }, () => coord.post('/api/v1/incidents', report({ org_code: 'pq-vnpt' }))));
  assert.deepEqual(rs.map((r) => r.status), Array(16).fill(201));
  const nums = rs.map((r) => Number(r.body.number.split('-')[2])).sort((a, b) => a - b);
  assert.equal(new Set(nums).size, 16);
  assert.equal(nums[15] - nums[0], 15);
});

test('a read right after another person\'s write sees it (no stale answer)', async () => {
  const i = await file(tam);
  const path = `/api/v1/incidents/${i.id}`;
  for (let k = 0; k < 3; k++) assert.equal((await coord.get(path)).body.version, 1);
  const p = await tam.patch(path, { title: 'Đã sửa bởi xã' }, { 'If-Match': '"1"' });
  assert.equal(p.status, 200, p.text);
  const g = await coord.get(path);
  assert.equal(g.body.version, 2);
  assert.equal(g.body.title, 'Đã sửa bởi xã');
  assert.equal(g.headers.get('etag'), '"2"');
  await tam.post(`${path}/comments`, { body: 'Bình luận mới' });
  assert.equal((await coord.get(path)).body.comments.length, 1);
});

test('a support request lets the asked organisation (and only it) see the incident', async () => {
  const i = await file(tam);
  const vnpt = await loginAs(server, 'vnpt');
  assertProblem(await vnpt.get(`/api/v1/incidents/${i.id}`), 404);
  await moveOk(coord, i.id, { to: 'acknowledged' }, 1);
  const s = await coord.post(`/api/v1/incidents/${i.id}/support-requests`, { summary: 'Nhờ VNPT chặn địa chỉ tấn công', to_org_code: 'pq-vnpt' });
  assert.equal(s.status, 201, s.text);
  assert.equal(s.body.to_org.code, 'pq-vnpt');
  const g = await vnpt.get(`/api/v1/incidents/${i.id}`);
  assert.equal(g.status, 200, g.text);
  assert.ok((await vnpt.get('/api/v1/incidents?limit=200')).body.items.some((x) => x.id === i.id));
  assertProblem(await longhai.get(`/api/v1/incidents/${i.id}`), 404);
  // vnpt is reporter+focal: answering a support request needs coordinator or responder
  assertProblem(await vnpt.post(`/api/v1/incidents/${i.id}/support-requests/${s.body.id}/transitions`, { to: 'accepted' }), 403);
});

test('a registered system named by system_id must be the reporting organisation\'s own (422 otherwise)', async () => {
  const own = await tam.post('/api/v1/systems', { name: `Cổng thông tin xã ${Date.now()}`, level: 2 });
  assert.equal(own.status, 201, own.text);
  const other = await coord.post('/api/v1/systems', { name: `Hệ thống huyện ${Date.now()}`, level: 3 });
  assert.equal(other.status, 201, other.text);
  const ok = await tam.post('/api/v1/incidents', report({ system: { name: own.body.name, system_id: own.body.id } }));
  assert.equal(ok.status, 201, ok.text);
  assert.equal(ok.body.system.system_id, own.body.id);
  for (const id of [other.body.id, '01a21006-bca1-7029-9c70-9c9bf69e89c1']) {
    const r = await tam.post('/api/v1/incidents', report({ system: { name: 'x', system_id: id } }));
    assertProblem(r, 422, '/system/system_id');
  }
  // Editing the form is held to the same rule; nothing changes on a refusal.
  const path = `/api/v1/incidents/${ok.body.id}`;
  assertProblem(await tam.patch(path, { system: { name: 'x', system_id: other.body.id } }, { 'If-Match': `"${ok.body.version}"` }),
    422, '/system/system_id');
  const after = (await tam.get(path)).body;
  assert.equal(after.version, ok.body.version);
  assert.equal(after.system.system_id, own.body.id);
});
