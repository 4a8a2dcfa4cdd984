// The queue at a province's scale (issue 12): full-text search insensitive
// to case and Vietnamese diacritics (FTS5), sorts and keyset paging done by
// the server, the CSV export of a view, saved filters per person, the
// inbox, bulk actions with per-id results, and duplicates.
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.mjs';
import {
  test, before, after, loginAs, file, moveOk, getIncident, assertProblem, userByName,
} from './helpers.mjs';

let server;
let coord;   // dieuphoi: coordinator + responder of the district
let tam;     // tamthanh: reporter + focal of commune Tam Thanh
let longhai; // longhai: reporter of commune Long Hải
let tinh;    // tinh: coordinator of the province team (outside the district)
let leader;  // lanhdao: read-only leader of the district

before(async () => {
  server = await startServer();
  coord = await loginAs(server, 'dieuphoi');
  tam = await loginAs(server, 'tamthanh');
  longhai = await loginAs(server, 'longhai');
  tinh = await loginAs(server, 'tinh');
  leader = await loginAs(server, 'lanhdao');
});
after(async () => { await server?.stop(); });

const ids = (r) => r.body.items.map((x) => x.id);
async function list(client, query) {
  const r = await client.get(`/api/v1/incidents?limit=200&${query}`);
  assert.equal(r.status, 200, r.text);
  return r.body.items;
}
const search = async (client, q) => (await list(client, `q=${encodeURIComponent(q)}`)).map((x) => x.id);

test('search ignores case and diacritics, đ included, in title and description', async () => {
  const a = await file(tam, { title: 'Cổng thông tin bị thay đổi giao diện', description: 'Trang chủ hiện khẩu hiệu lạ của nhóm tin tặc ĐẠI BÀNG.' });
  assert.ok((await search(coord, 'giao dien')).includes(a.id), 'giao dien finds giao diện');
  assert.ok((await search(coord, 'GIAO DIỆN')).includes(a.id), 'upper case');
  assert.ok((await search(coord, 'thay doi')).includes(a.id), 'đ folds to d');
  assert.ok((await search(coord, 'dai bang')).includes(a.id), 'Đ folds to D, in the description');
  assert.ok((await search(coord, 'đại bàng')).includes(a.id), 'the query folds đ too');
  assert.ok(!(await search(coord, 'giao dien xyzkhongco')).includes(a.id), 'every word must match');
});

test('search finds words of observables and comments, added after filing', async () => {
  const a = await file(tam, { title: 'Máy trạm nhiễm mã độc' });
  assert.equal((await search(coord, 'evil-update.example')).includes(a.id), false);
  let r = await coord.post(`/api/v1/incidents/${a.id}/observables`, { kind: 'domain', value: 'evil-update.example' });
  assert.equal(r.status, 201, r.text);
  assert.ok((await search(coord, 'evil-update.example')).includes(a.id), 'observable');
  r = await coord.post(`/api/v1/incidents/${a.id}/comments`, { body: 'Đã cách ly máy của phòng Địa chính' });
  assert.equal(r.status, 201, r.text);
  assert.ok((await search(coord, 'phong dia chinh')).includes(a.id), 'comment, đ folded');
});

test('search by number, and the number is a word of its own', async () => {
  const a = await file(tam);
  assert.deepEqual(await search(coord, a.number), [a.id]);
  assert.ok((await search(coord, a.number.toLowerCase())).includes(a.id));
});

// An address is a phrase of its parts (FTS5 on SQLite; on PostgreSQL the
// index finds its pairs of parts and the phrase is the check, pg/029): a
// prefix finds exactly the incidents holding those parts in a row, the last
// one as a prefix, wherever they are, and none with the parts apart or in
// another order.
test('search for an address prefix finds the incidents holding it and only them', async () => {
  const sorted = (xs) => [...xs].sort();
  const inTitle = await file(tam, { title: 'Máy 172.31.45.7 gửi thư rác' });
  const inObservable = await file(tam, { title: 'Quét cổng từ ngoài vào' });
  let r = await coord.post(`/api/v1/incidents/${inObservable.id}/observables`, { kind: 'ip', value: '172.31.4.200' });
  assert.equal(r.status, 201, r.text);
  const inside = await file(tam, { title: 'Tên miền lạ', description: 'Bản ghi 10.172.31.4 trỏ về máy chủ lạ' });
  const inComment = await file(tam, { title: 'Thư giả mạo ngân hàng' });
  r = await coord.post(`/api/v1/incidents/${inComment.id}/comments`, { body: 'Nguồn: 172.31.40.1, đã chặn' });
  assert.equal(r.status, 201, r.text);
  const others = [
    await file(tam, { title: 'Máy 172.31.5.4 chậm' }), // 4 not after 31
    await file(tam, { title: 'Máy 172.4.31 lạ' }), // another order
    await file(tam, { title: 'Máy 172 ở phòng 31 tầng 4' }), // apart
    await file(tam, { title: 'Máy 31.172.4.1' }),
  ];
  const prefix = await search(coord, '172.31.4');
  assert.deepEqual(sorted(prefix), sorted([inTitle.id, inObservable.id, inside.id, inComment.id]));
  for (const o of others) assert.ok(!prefix.includes(o.id), o.title);
  assert.deepEqual(await search(coord, '172.31.45'), [inTitle.id]);
  assert.deepEqual(await search(coord, '172.31.45.7'), [inTitle.id]);
  assert.deepEqual(await search(coord, '172.31.40.1 chan'), [inComment.id]);
  assert.deepEqual(await search(coord, 'ngan hang 172.31.4'), [inComment.id], 'with other words');
  assert.deepEqual(await search(coord, 'gui 172.31.4'), [inTitle.id]);
  // not the last word: a whole part, not a prefix (45 and 40 are not 4)
  assert.deepEqual(await search(coord, '172.31.4 may'), [inside.id]);
  assert.deepEqual(await search(coord, '172.31.4 thu'), []);
});

test('search text is never FTS5 syntax: quotes, operators, stars, parentheses are words or nothing', async () => {
  const a = await file(tam, { title: 'Tấn công "NEAR" và OR AND NOT (thử) col:title' });
  for (const q of ['"', '""', 'NEAR(', 'a OR', '*', '^x', 'title:x', '(', ')', '-', 'NOT', '"NEAR"', 'col:title', "'; DROP TABLE incidents; --", '\\']) {
    const r = await coord.get(`/api/v1/incidents?q=${encodeURIComponent(q)}`);
    assert.equal(r.status, 200, `${q}: ${r.text}`);
  }
  assert.ok((await search(coord, '"NEAR" OR AND')).includes(a.id), 'operators searched as words');
  assert.ok((await search(coord, 'col:title')).includes(a.id));
  // 17 words is more than a search takes: refused, not cut
  assertProblem(await coord.get(`/api/v1/incidents?q=${encodeURIComponent('a '.repeat(17))}`), 422, '/q');
  assert.equal((await coord.get(`/api/v1/incidents?q=${encodeURIComponent('a '.repeat(16))}`)).status, 200);
});

test('search stays inside the reader\'s scope', async () => {
  const a = await file(tam, { title: 'Rò rỉ dữ liệu hộ tịch xã Tam Thanh zzqq' });
  assert.ok((await search(coord, 'zzqq')).includes(a.id));
  assert.deepEqual(await search(longhai, 'zzqq'), []);
  const ngu = await loginAs(server, 'nguphung');
  assert.deepEqual(await search(ngu, 'zzqq'), []);
});

test('sort keys are whitelisted; each sort pages with its cursor over every row once, in order', async () => {
  for (let k = 0; k < 4; k++) await file(tam);
  assertProblem(await coord.get('/api/v1/incidents?sort=title'), 422, '/sort');
  assertProblem(await coord.get('/api/v1/incidents?sort=id;drop'), 422, '/sort');
  assertProblem(await coord.get('/api/v1/incidents?order=sideways'), 422, '/order');
  for (const s of ['created', 'due', 'number', 'detected', 'updated']) {
    for (const order of ['asc', 'desc']) {
      const all = (await coord.get(`/api/v1/incidents?limit=200&sort=${s}&order=${order}`)).body.items;
      const seen = [];
      let cursor = null;
      let pages = 0;
      do {
        const r = await coord.get(`/api/v1/incidents?limit=4&sort=${s}&order=${order}${cursor ? `&cursor=${cursor}` : ''}`);
        assert.equal(r.status, 200, r.text);
        seen.push(...ids(r));
        cursor = r.body.next_cursor;
        pages += 1;
      } while (cursor && pages < 100);
      assert.deepEqual(seen, all.map((x) => x.id), `${s} ${order}`);
      if (s === 'number') {
        const nums = all.map((x) => x.number);
        const sorted = [...nums].sort();
        assert.deepEqual(nums, order === 'asc' ? sorted : sorted.reverse());
      }
      if (s === 'detected') {
        const t = all.map((x) => Date.parse(x.detected_at));
        for (let i = 1; i < t.length; i++) assert.ok(order === 'asc' ? t[i - 1] <= t[i] : t[i - 1] >= t[i]);
      }
    }
  }
});

// A word in many incidents takes the other plan (the sort's index walked,
// each row looked up in the match list, incident_queue.c fts_dense): pages
// of 3 over 45 matches take it, the one page of 200 does not, so the two
// plans are checked against each other, in every sort and both orders.
test('search of a word in many incidents pages with its cursor over every match once, in order, in every sort', { timeout: 240_000 }, async () => {
  const made = [];
  for (let k = 0; k < 45; k++) {
    const who = k % 5 === 0 ? longhai : tam;
    const a = await file(who, { title: `Đứt cáp quang số ${k}`, detected_at: new Date(Date.now() - (k % 4) * 3600_000).toISOString() });
    made.push(a);
    if (k % 3 === 0) await moveOk(coord, a.id, { to: 'acknowledged' });
    if (k % 4 === 0) await file(tam, { title: `Máy in hỏng ${k}` });   // not a match, in between
  }
  const want = new Set(made.map((x) => x.id));
  for (const [reader, expect] of [[coord, want], [longhai, new Set(made.filter((_, k) => k % 5 === 0).map((x) => x.id))]]) {
    for (const sort of ['created', 'due', 'number', 'detected', 'updated']) {
      for (const order of ['asc', 'desc']) {
        const q = `q=${encodeURIComponent('cap quang')}&sort=${sort}&order=${order}`;
        const all = (await reader.get(`/api/v1/incidents?limit=200&${q}`)).body.items;
        assert.deepEqual(new Set(all.map((x) => x.id)), expect, `${sort} ${order}: the matches in scope`);
        const seen = [];
        let cursor = null;
        let pages = 0;
        do {
          const r = await reader.get(`/api/v1/incidents?limit=3&${q}${cursor ? `&cursor=${cursor}` : ''}`);
          assert.equal(r.status, 200, r.text);
          assert.ok(r.body.items.length <= 3);
          seen.push(...ids(r));
          cursor = r.body.next_cursor;
          pages += 1;
        } while (cursor && pages < 100);
        assert.equal(new Set(seen).size, seen.length, `${sort} ${order}: no duplicates`);
        assert.deepEqual(seen, all.map((x) => x.id), `${sort} ${order}: no gaps, same order`);
      }
    }
  }
  // with a filter too: acknowledged ones only, by due date
  const acked = made.filter((_, k) => k % 3 === 0).map((x) => x.id);
  const seen = [];
  let cursor = null;
  do {
    const r = await coord.get(`/api/v1/incidents?limit=2&status=acknowledged&sort=due&q=cap%20quang${cursor ? `&cursor=${cursor}` : ''}`);
    assert.equal(r.status, 200, r.text);
    seen.push(...ids(r));
    cursor = r.body.next_cursor;
  } while (cursor);
  assert.deepEqual(new Set(seen), new Set(acked));
  assert.equal(seen.length, acked.length);
});

test('sort=due puts the earliest unmet clock first; overdue and due_soon are ranges over it', async () => {
  const due = await list(coord, 'sort=due&status=open');
  const next = (x) => Math.min(...x.deadlines.filter((d) => d.met_at === null).map((d) => Date.parse(d.due_at)), 8.64e15);
  for (let i = 1; i < due.length; i++) assert.ok(next(due[i - 1]) <= next(due[i]), `${due[i - 1].number} before ${due[i].number}`);
  const overdue = await list(coord, 'overdue=true');
  assert.ok(overdue.length >= 1);
  assert.ok(overdue.every((x) => x.overdue));
  const soon = await list(coord, 'due_soon=true');
  const fresh = await file(tam);   // its acknowledgement is due in 2 h
  const soon2 = await list(coord, 'due_soon=true');
  assert.ok(soon2.some((x) => x.id === fresh.id));
  assert.ok(!soon.some((x) => x.overdue));
  assert.ok(soon2.every((x) => !x.overdue && !['closed', 'rejected'].includes(x.status)));
  // acknowledging meets the clock: no longer due soon
  await moveOk(coord, fresh.id, { to: 'acknowledged' });
  assert.ok(!(await list(coord, 'due_soon=true')).some((x) => x.id === fresh.id));
});

test('status=open lists every state but closed and rejected', async () => {
  const open = await list(coord, 'status=open');
  assert.ok(open.length > 0);
  assert.ok(open.every((x) => !['closed', 'rejected'].includes(x.status)));
});

test('GET /incidents.csv exports the view: the filters apply, formulas defused, scope kept', async () => {
  const a = await file(tam, { title: '=HYPERLINK("http://x.example","bấm vào") csvexport', type: 'phishing' });
  const r = await coord.get(`/api/v1/incidents.csv?q=csvexport&type=phishing`);
  assert.equal(r.status, 200, r.text);
  assert.match(r.headers.get('content-type'), /^text\/csv/);
  assert.match(r.headers.get('content-disposition'), /attachment/);
  const lines = r.text.trim().split('\r\n');
  assert.equal(lines[0].split(',')[0], 'number');
  assert.equal(lines.length, 2, r.text);
  assert.ok(lines[1].startsWith(a.number));
  assert.ok(lines[1].includes(`"'=HYPERLINK(""http://x.example"",""bấm vào"") csvexport"`), lines[1]);
  const other = await longhai.get('/api/v1/incidents.csv?q=csvexport');
  assert.equal(other.status, 200);
  assert.equal(other.text.trim().split('\r\n').length, 1, 'header only: out of scope');
  assertProblem(await coord.get('/api/v1/incidents.csv?sort=bogus'), 422, '/sort');
});

test('saved filters: per person, create (same name replaces), list, delete; another person\'s is 404', async () => {
  let r = await coord.post('/api/v1/saved-filters', { name: 'Quá hạn của xã', query: 'overdue=true&org=pq-tamthanh' });
  assert.equal(r.status, 201, r.text);
  const id = r.body.id;
  r = await coord.post('/api/v1/saved-filters', { name: 'Quá hạn của xã', query: 'overdue=true' });
  assert.equal(r.status, 201, r.text);
  r = await coord.get('/api/v1/saved-filters');
  assert.equal(r.status, 200);
  assert.deepEqual(r.body.items.map((x) => [x.name, x.query]), [['Quá hạn của xã', 'overdue=true']]);
  assert.deepEqual((await tam.get('/api/v1/saved-filters')).body.items, []);
  assertProblem(await tam.del(`/api/v1/saved-filters/${id}`), 404);
  assertProblem(await coord.post('/api/v1/saved-filters', { name: '', query: 'x' }), 422, '/name');
  assertProblem(await coord.post('/api/v1/saved-filters', { name: 'x'.repeat(101), query: 'x' }), 422, '/name');
  assertProblem(await coord.post('/api/v1/saved-filters', { name: 'a', query: 'x'.repeat(1001) }), 422, '/query');
  assertProblem(await coord.post('/api/v1/saved-filters', { name: 'a', query: 'a\nb' }), 422, '/query');
  r = await coord.del(`/api/v1/saved-filters/${id}`);
  assert.equal(r.status, 200, r.text);
  assert.deepEqual((await coord.get('/api/v1/saved-filters')).body.items, []);
  assertProblem(await coord.del(`/api/v1/saved-filters/${id}`), 404);
});

test('saved filters are bounded: 50 per person', async () => {
  for (let k = 0; k < 50; k++) {
    const r = await longhai.post('/api/v1/saved-filters', { name: `v${k}`, query: `q=${k}` });
    assert.equal(r.status, 201, r.text);
  }
  assertProblem(await longhai.post('/api/v1/saved-filters', { name: 'v50', query: 'q=50' }), 409);
  // replacing one by its name is no new one
  assert.equal((await longhai.post('/api/v1/saved-filters', { name: 'v0', query: 'q=new' })).status, 409);
});

test('inbox: assigned incidents, my open tasks, support asked of my organisation (kept after closing, read-only), warnings', async () => {
  const dp = await userByName(coord, 'dieuphoi');
  const a = await file(tam, { title: 'Hộp thư: giao cho tôi' });
  let r = await coord.post(`/api/v1/incidents/${a.id}/assignees`, { user_id: dp.id });
  assert.equal(r.status, 201, r.text);
  r = await coord.post(`/api/v1/incidents/${a.id}/tasks`, { title: 'Thu thập nhật ký', assignee_id: dp.id });
  assert.equal(r.status, 201, r.text);
  r = await coord.get('/api/v1/inbox');
  assert.equal(r.status, 200, r.text);
  const box = r.body;
  for (const k of ['assigned', 'tasks', 'support_requests', 'warnings']) assert.ok(Array.isArray(box[k]), k);
  assert.ok(box.assigned.some((x) => x.id === a.id));
  assert.ok(box.tasks.some((t) => t.incident.id === a.id && t.title === 'Thu thập nhật ký'));
  assert.equal(typeof box.count, 'number');
  assert.ok(box.count >= 2);
  // not someone else's
  const other = (await tam.get('/api/v1/inbox')).body;
  assert.ok(!other.assigned.some((x) => x.id === a.id));
  assert.ok(!other.tasks.some((t) => t.incident.id === a.id));
});

test('inbox: a support request stays listed for the asked organisation after the incident closes, read-only', async () => {
  const a = await file(tam, { title: 'Hỗ trợ rồi đóng' });
  await moveOk(coord, a.id, { to: 'acknowledged' });
  let r = await coord.post(`/api/v1/incidents/${a.id}/support-requests`, { to_org_code: 'stttt-bth', summary: 'Cần hỗ trợ phân tích', help_needed: 'Phân tích mã độc' });
  assert.equal(r.status, 201, r.text);
  let box = (await tinh.get('/api/v1/inbox')).body;
  const entry = box.support_requests.find((s) => s.incident.id === a.id);
  assert.ok(entry, JSON.stringify(box.support_requests));
  assert.equal(entry.read_only, false);
  const before = box.count;
  // the district rejects it (a closed state): the province still sees the entry
  await moveOk(coord, a.id, { to: 'rejected', reason: 'Không phải sự cố' });
  box = (await tinh.get('/api/v1/inbox')).body;
  const after = box.support_requests.find((s) => s.incident.id === a.id);
  assert.ok(after, 'still listed');
  assert.equal(after.read_only, true);
  assert.equal(box.count, before - 1, 'a read-only entry waits for nothing');
  // a commune not asked does not see it
  assert.ok(!(await longhai.get('/api/v1/inbox')).body.support_requests.some((s) => s.incident.id === a.id));
});

test('bulk acknowledge: per-id results, each under its own version and policy', async () => {
  const a = await file(tam);
  const b = await file(tam);
  const c = await file(tam);
  const stale = (await getIncident(coord, c.id)).version;
  await coord.patch(`/api/v1/incidents/${c.id}`, { title: 'đổi tên trước' }, { 'If-Match': `"${stale}"` });
  const r = await coord.post('/api/v1/incidents/bulk', {
    action: 'acknowledge',
    items: [{ id: a.id, version: a.version }, { id: b.id, version: b.version }, { id: c.id, version: stale },
      { id: '01900000-0000-7000-8000-000000000000', version: 1 }],
  });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.ok, 2);
  assert.equal(r.body.failed, 2);
  const res = Object.fromEntries(r.body.results.map((x) => [x.id, x]));
  assert.equal(res[a.id].ok, true);
  assert.equal(res[a.id].status, 'acknowledged');
  assert.equal(res[c.id].ok, false);
  assert.equal(res[c.id].error.code, 'stale');
  assert.ok(res[c.id].error.detail.length > 0);
  assert.equal(res['01900000-0000-7000-8000-000000000000'].error.code, 'not_found');
  assert.equal((await getIncident(coord, a.id)).status, 'acknowledged');
  assert.equal((await getIncident(coord, c.id)).status, 'received', 'nothing done on the stale one');
});

test('bulk: a reporter or leader may not acknowledge; out of scope is not_found; body bounded', async () => {
  const a = await file(tam);
  let r = await tam.post('/api/v1/incidents/bulk', { action: 'acknowledge', items: [{ id: a.id, version: a.version }] });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.results[0].error.code, 'forbidden');
  r = await longhai.post('/api/v1/incidents/bulk', { action: 'acknowledge', items: [{ id: a.id, version: a.version }] });
  assert.equal(r.body.results[0].error.code, 'not_found');
  r = await leader.post('/api/v1/incidents/bulk', { action: 'assign', user_id: a.created_by.id, items: [{ id: a.id, version: a.version }] });
  assert.equal(r.body.results[0].ok, false);
  assertProblem(await coord.post('/api/v1/incidents/bulk', { action: 'delete', items: [{ id: a.id, version: 1 }] }), 422, '/action');
  assertProblem(await coord.post('/api/v1/incidents/bulk', { action: 'acknowledge', items: [] }), 422, '/items');
  assertProblem(await coord.post('/api/v1/incidents/bulk', { action: 'acknowledge', items: [{ id: 'x', version: 1 }] }), 422, '/items/0/id');
  assertProblem(await coord.post('/api/v1/incidents/bulk', { action: 'acknowledge', items: [{ id: a.id }] }), 422, '/items/0/version');
  const many = Array.from({ length: 101 }, () => ({ id: a.id, version: 1 }));
  assertProblem(await coord.post('/api/v1/incidents/bulk', { action: 'acknowledge', items: many }), 422, '/items');
  assertProblem(await coord.post('/api/v1/incidents/bulk', { action: 'assign', items: [{ id: a.id, version: 1 }] }), 422, '/user_id');
  assertProblem(await coord.post('/api/v1/incidents/bulk', { action: 'assign', user_id: '01900000-0000-7000-8000-000000000000', items: [{ id: a.id, version: 1 }] }), 422, '/user_id');
  assertProblem(await coord.post('/api/v1/incidents/bulk', { action: 'duplicate', items: [{ id: a.id, version: 1 }] }), 422, '/duplicate_of');
});

test('bulk assign checks each version', async () => {
  const dp = await userByName(coord, 'dieuphoi');
  const a = await file(tam);
  const r = await coord.post('/api/v1/incidents/bulk', { action: 'assign', user_id: dp.id,
    items: [{ id: a.id, version: a.version }, { id: a.id, version: a.version + 5 }] });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.body.results.map((x) => x.ok), [true, false]);
  assert.equal(r.body.results[1].error.code, 'stale');
  assert.ok((await getIncident(coord, a.id)).assignees.some((x) => x.id === dp.id || x.user_id === dp.id || x.username === 'dieuphoi'));
});

test('three reports of one defaced site become one incident with three reporters (duplicates rejected, linked, audited)', async () => {
  const keep = await file(tam, { title: 'Trang xã bị thay đổi giao diện', type: 'defacement' });
  await file(tam); // unrelated
  const d1 = await file(longhai, { title: 'Web xã Tam Thanh hiện hình lạ', type: 'defacement' });
  let r = await longhai.post(`/api/v1/incidents/${d1.id}/observables`, { kind: 'url', value: 'http://tamthanh.example/index.html' });
  assert.equal(r.status, 201, r.text);
  const d2 = await file(coord, { title: 'Người dân báo web xã bị hack', type: 'defacement' });
  r = await coord.post('/api/v1/incidents/bulk', { action: 'duplicate', duplicate_of: keep.id,
    items: [{ id: d1.id, version: d1.version + 1 }, { id: d2.id, version: d2.version }, { id: keep.id, version: keep.version }] });
  assert.equal(r.status, 200, r.text);
  // d1's version moved (an observable? no: records keep the version) — read it for the retry
  const res = r.body.results;
  assert.equal(res[1].ok, true, JSON.stringify(res[1]));
  assert.equal(res[2].ok, false, 'not a duplicate of itself');
  assert.equal(res[2].error.code, 'conflict');
  if (!res[0].ok) {
    assert.equal(res[0].error.code, 'stale');
    r = await coord.post('/api/v1/incidents/bulk', { action: 'duplicate', duplicate_of: keep.id, items: [{ id: d1.id, version: d1.version }] });
    assert.equal(r.body.results[0].ok, true, r.text);
  }
  const k = await getIncident(coord, keep.id);
  assert.equal(k.status, 'received', 'the kept one goes on');
  assert.deepEqual(k.duplicates.map((x) => x.id).sort(), [d1.id, d2.id].sort());
  const reporters = new Set([k.created_by.username, ...k.duplicates.map((x) => x.reporter.username)]);
  assert.deepEqual(reporters, new Set(['tamthanh', 'longhai', 'dieuphoi']));
  assert.ok(k.duplicates.find((x) => x.id === d1.id).observables.some((o) => o.value === 'http://tamthanh.example/index.html'));
  const g1 = await getIncident(coord, d1.id);
  assert.equal(g1.status, 'rejected');
  assert.equal(g1.duplicate_of.id, keep.id);
  assert.ok(g1.reject_reason.includes(keep.number));
  assert.ok(g1.timeline.some((ev) => ev.kind === 'transition' && ev.data.duplicate_of === keep.number));
  assert.ok(k.timeline.some((ev) => ev.kind === 'duplicate_added'));
  // a duplicate cannot be kept, nor can a classified incident be marked
  const x = await file(tam);
  r = await coord.post('/api/v1/incidents/bulk', { action: 'duplicate', duplicate_of: d1.id, items: [{ id: x.id, version: x.version }] });
  assert.equal(r.body.results[0].error.code, 'conflict');
  // the reporter of the duplicate (a commune reporter) may not mark it
  const y = await file(longhai);
  r = await longhai.post('/api/v1/incidents/bulk', { action: 'duplicate', duplicate_of: keep.id, items: [{ id: y.id, version: y.version }] });
  assert.equal(r.body.results[0].ok, false);
  // reopening a duplicate unlinks it
  await moveOk(coord, d2.id, { to: 'received', reason: 'Không trùng' });
  assert.equal((await getIncident(coord, d2.id)).duplicate_of, null);
  assert.deepEqual((await getIncident(coord, keep.id)).duplicates.map((x) => x.id), [d1.id]);
});

test('stats count from the summary rows: totals agree with the list, follow transitions', async () => {
  const count = async (client) => {
    let n = 0; let cursor = null;
    for (let i = 0; i < 100; i++) {
      const r = await client.get(`/api/v1/incidents?limit=200${cursor ? `&cursor=${cursor}` : ''}`);
      n += r.body.items.length; cursor = r.body.next_cursor; if (!cursor) break;
    }
    return n;
  };
  const s0 = (await coord.get('/api/v1/stats')).body;
  const a = await file(tam);
  const s1 = (await coord.get('/api/v1/stats')).body;
  assert.equal(s1.total, s0.total + 1);
  assert.equal(s1.by_status.received, (s0.by_status.received ?? 0) + 1);
  await moveOk(coord, a.id, { to: 'acknowledged' });
  const s2 = (await coord.get('/api/v1/stats')).body;
  assert.equal(s2.by_status.received, s0.by_status.received ?? 0);
  assert.equal(s2.by_status.acknowledged, (s0.by_status.acknowledged ?? 0) + 1);
  assert.equal(s2.total, await count(coord));
  const t = (await tinh.get('/api/v1/stats')).body;   // outside the district: only what was asked of it
  assert.equal(t.total, await count(tinh));
  // overdue agrees with the overdue filter, for a reader of the subtree and one outside it
  for (const [client, s] of [[coord, s2], [tinh, t], [longhai, (await longhai.get('/api/v1/stats')).body]]) {
    assert.equal(s.overdue, await count({ get: (p) => client.get(p.replace('?', '?overdue=true&')) }));
  }
});

test('GET /deadlines takes a limit (the dashboard asks for 50): 1..1000, else 422', async () => {
  for (let k = 0; k < 3; k++) await file(tam);
  const all = (await coord.get('/api/v1/deadlines')).body.items;
  assert.ok(all.length >= 3);
  const two = await coord.get('/api/v1/deadlines?limit=2');
  assert.equal(two.status, 200, two.text);
  assert.deepEqual(two.body.items, all.slice(0, 2));
  for (const l of ['0', '1001', 'x']) assertProblem(await coord.get(`/api/v1/deadlines?limit=${l}`), 422, '/limit');
});

test('a cursor must be an incident the reader sees; "open" does not mix with states', async () => {
  const a = await file(tam);
  assert.equal((await tam.get(`/api/v1/incidents?cursor=${a.id}`)).status, 200);
  // another commune's incident as a cursor would reveal where it sorts: refused like a bad cursor
  assertProblem(await longhai.get(`/api/v1/incidents?sort=detected&cursor=${a.id}`), 422, '/cursor');
  assertProblem(await coord.get('/api/v1/incidents?cursor=01900000-0000-7000-8000-000000000000'), 422, '/cursor');
  assertProblem(await coord.get('/api/v1/incidents?status=open,closed'), 422, '/status');
});
