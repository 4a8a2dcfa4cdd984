// Every list page paged by the server (issue 12 item 6): systems, hosts,
// findings, warnings and hunts take limit (1..500, default 50), a
// whitelisted sort and order, and a keyset cursor; filters apply on the
// server. Paging walks every row once, in the order of the whole list, for
// every sort and both orders, also when rows are added between pages; bad
// limits, sorts, orders and cursors are 422 naming the field; another
// organisation's rows never show.
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.mjs';
import { test, before, after, bearer, assertProblem } from './helpers.mjs';

const DAY = 86_400_000;
let srv;
let coord;   // dieuphoi: coordinator of the district pq
let tam;     // tamthanh: focal of commune pq-tamthanh
let longhai; // longhai: reporter of commune pq-longhai

before(async () => {
  srv = await startServer();
  coord = bearer(srv, 'dieuphoi');
  tam = bearer(srv, 'tamthanh');
  longhai = bearer(srv, 'longhai');
  await seed();
});
after(async () => { await srv?.stop(); });

const tag = `paging${process.pid}`;
const inDays = (n) => new Date(Date.now() + n * DAY).toISOString();

async function ok(r, status = 201) {
  assert.equal(r.status, status, r.text);
  return r.body;
}

/** Every page of path (with its query) at `limit`; asserts each answer. */
async function walk(client, path, limit) {
  const seen = [];
  let cursor = null;
  let pages = 0;
  do {
    const sep = path.includes('?') ? '&' : '?';
    const r = await client.get(`${path}${sep}limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    assert.equal(r.status, 200, r.text);
    assert.ok(r.body.items.length <= limit);
    assert.ok('next_cursor' in r.body);
    if (r.body.next_cursor) assert.equal(r.body.items.length, limit, 'a page before the last is full');
    seen.push(...r.body.items.map((x) => x.id));
    cursor = r.body.next_cursor;
    pages += 1;
  } while (cursor && pages < 200);
  assert.equal(new Set(seen).size, seen.length, `${path}: no row twice`);
  return seen;
}

/** For each sort and order: pages of 3 give the whole list (limit=500), in its order. */
async function checkSorts(client, base, sorts) {
  for (const sort of sorts) {
    for (const order of ['asc', 'desc']) {
      const q = `${base}${base.includes('?') ? '&' : '?'}sort=${sort}&order=${order}`;
      const all = await ok(await client.get(`${q}&limit=500`), 200);
      assert.equal(all.next_cursor, null);
      assert.deepEqual(await walk(client, q, 3), all.items.map((x) => x.id), `${q}: pages = the whole list`);
    }
  }
}

const systems = [];
async function seed() {
  // 9 systems of Tam Thanh (levels, check dates and names that tie), 3 of Long Hải.
  for (let k = 0; k < 12; k++) {
    const c = k < 9 ? tam : coord;
    systems.push(await ok(await c.post('/api/v1/systems', {
      name: `Hệ thống ${tag} ${k % 4}`, level: (k % 5) + 1, ...(k < 9 ? {} : { org_code: 'pq-longhai' }),
      ...(k % 3 ? { next_check_at: inDays(30 + (k % 2) * 30) } : {}),
    })));
  }
  for (let k = 0; k < 10; k++) {
    const c = k < 7 ? tam : coord;
    await ok(await c.post('/api/v1/hosts', { hostname: `may-${tag}-${k % 6}${k >= 6 ? 'b' : ''}`, addresses: [`198.51.100.${k + 1}`],
      ...(k < 7 ? {} : { org_code: 'pq-longhai' }) }));
  }
  for (let k = 0; k < 7; k++) {
    await ok(await coord.post('/api/v1/warnings', { title: `Cảnh báo ${tag} ${k}`, severity: k % 2 ? 'high' : 'medium',
      deadline: inDays(1 + (k % 3)), target_org_codes: ['pq-tamthanh'] }));
  }
  await ok(await coord.post('/api/v1/indicators', { kind: 'domain', value: `${tag}.example`, tlp: 'GREEN', tags: [tag] }));
  for (let k = 0; k < 7; k++) {
    await ok(await coord.post('/api/v1/hunts', { title: `Săn ${tag} ${k}`, deadline: inDays(2 + (k % 3)),
      target_org_codes: ['pq-tamthanh'], tags: [tag] }));
  }
}

test('systems: every sort pages over every row once in order; the organisation filter and scope hold', { timeout: 120_000 }, async () => {
  await checkSorts(coord, `/api/v1/systems?q=${tag}`, ['org', 'name', 'next_check', 'level', 'updated']);
  await checkSorts(tam, `/api/v1/systems?q=${tag}`, ['org', 'level']);
  const mine = await walk(tam, `/api/v1/systems?q=${tag}`, 2);
  assert.equal(mine.length, 9, 'Tam Thanh sees its own 9, not Long Hải\'s');
  assert.equal((await walk(coord, `/api/v1/systems?q=${tag}&org=pq-longhai`, 2)).length, 3);
  assert.equal((await walk(coord, `/api/v1/systems?q=${tag}&level=2`, 1)).length,
    systems.filter((s) => s.level === 2).length);
  // the default sort keeps an organisation's rows together
  const all = (await coord.get(`/api/v1/systems?q=${tag}&limit=500`)).body.items.map((s) => s.org.code);
  assert.equal(new Set(all).size, 2);
  for (const code of new Set(all)) {
    const at = all.flatMap((c, k) => (c === code ? [k] : []));
    assert.equal(at[at.length - 1] - at[0] + 1, at.length, `${code}: together`);
  }
  // default limit 50
  const d = await ok(await coord.get('/api/v1/systems'), 200);
  assert.ok(d.items.length <= 50);
});

test('a row added between pages is never repeated and no row is skipped', { timeout: 60_000 }, async () => {
  const first = await ok(await coord.get(`/api/v1/systems?q=${tag}&sort=name&limit=4`), 200);
  const extra = await ok(await tam.post('/api/v1/systems', { name: `Hệ thống ${tag} 0 (thêm)` }));
  systems.push(extra);
  const seen = first.items.map((x) => x.id);
  for (let cursor = first.next_cursor; cursor;) {
    const r = await ok(await coord.get(`/api/v1/systems?q=${tag}&sort=name&limit=4&cursor=${encodeURIComponent(cursor)}`), 200);
    seen.push(...r.items.map((x) => x.id));
    cursor = r.next_cursor;
  }
  assert.equal(new Set(seen).size, seen.length);
  const before_ = new Set(first.items.map((x) => x.id));
  for (const s of systems) assert.ok(seen.includes(s.id) || s.id === extra.id, `${s.name} seen`);
  assert.ok(!before_.has(extra.id));
});

test('hosts: every sort pages in order; the text filter and scope hold', { timeout: 120_000 }, async () => {
  await checkSorts(coord, `/api/v1/hosts?q=${tag}`, ['org', 'risk', 'hostname', 'last_seen', 'updated']);
  assert.equal((await walk(tam, `/api/v1/hosts?q=${tag}`, 2)).length, 7);
  assert.equal((await walk(longhai, `/api/v1/hosts?q=${tag}`, 2)).length, 3);
  assert.equal((await walk(coord, '/api/v1/hosts?q=198.51.100.3', 2)).length, 1, 'by address');
});

test('warnings and hunts: every sort pages in order; filters on the server', { timeout: 120_000 }, async () => {
  await checkSorts(coord, `/api/v1/warnings?q=${tag}`, ['created', 'deadline']);
  assert.equal((await walk(coord, `/api/v1/warnings?q=${tag}&severity=high`, 2)).length, 3);
  assert.equal((await walk(tam, `/api/v1/warnings?q=${tag}`, 2)).length, 7, 'the target sees them');
  assert.equal((await walk(longhai, `/api/v1/warnings?q=${tag}`, 2)).length, 0, 'another commune does not');
  await checkSorts(coord, `/api/v1/hunts?q=${tag}`, ['created', 'deadline']);
  assert.equal((await walk(coord, `/api/v1/hunts?q=${tag}&status=open`, 2)).length, 7);
  assert.equal((await walk(coord, `/api/v1/hunts?q=${tag}&status=closed`, 2)).length, 0);
});

test('findings: sorts and paging answer (none here); bad filters are 422', async () => {
  for (const sort of ['priority', 'due', 'first_seen', 'host']) {
    const r = await ok(await coord.get(`/api/v1/findings?sort=${sort}&limit=2`), 200);
    assert.ok(Array.isArray(r.items));
    assert.ok('next_cursor' in r);
  }
  assertProblem(await coord.get('/api/v1/findings?host=not-a-uuid'), 422, '/host');
});

test('bad limits, sorts, orders and cursors are 422 naming the field, on every list', async () => {
  const lists = {
    '/api/v1/systems': 'name', '/api/v1/hosts': 'hostname', '/api/v1/warnings': 'deadline',
    '/api/v1/hunts': 'deadline', '/api/v1/findings': 'due',
  };
  for (const [path, sort] of Object.entries(lists)) {
    for (const limit of ['0', '501', '-1', 'x', '1e3', '99999999999999999999']) {
      assertProblem(await coord.get(`${path}?limit=${limit}`), 422, '/limit');
    }
    assert.equal((await coord.get(`${path}?limit=500`)).status, 200);
    assertProblem(await coord.get(`${path}?sort=id;drop`), 422, '/sort');
    assertProblem(await coord.get(`${path}?sort=${sort}&order=up`), 422, '/order');
    for (const cursor of ['x', `${sort}.`, `${sort}.00.not-a-uuid`, `${sort}..01900000-0000-7000-8000-000000000000x`,
      `zzz.1.01900000-0000-7000-8000-000000000000`]) {
      assertProblem(await coord.get(`${path}?sort=${sort}&cursor=${cursor}`), 422, '/cursor');
    }
    // bytes that are not UTF-8 stop at the strict query reader
    assertProblem(await coord.get(`${path}?sort=${sort}&cursor=%FF%FE`), 400, '/cursor');
    assertProblem(await coord.get(`${path}?sort=${sort}&cursor=${sort}.${'ab'.repeat(1100)}.01900000-0000-7000-8000-000000000000`), 400, '/cursor');
  }
  // a cursor of one sort is refused by another
  const page = await ok(await coord.get(`/api/v1/systems?q=${tag}&sort=name&limit=2`), 200);
  assert.ok(page.next_cursor);
  assertProblem(await coord.get(`/api/v1/systems?sort=level&cursor=${encodeURIComponent(page.next_cursor)}`), 422, '/cursor');
  // text keys: only \\ and \xNN of a control character are escapes; integer keys are digits
  const id0 = '01900000-0000-7000-8000-000000000000';
  for (const key of ['\\q', '\\x41', '\\x00', '\\', '\\xZZ', '%C3']) {
    assertProblem(await coord.get(`/api/v1/systems?sort=name&cursor=name.${encodeURIComponent(key).replace('%25C3', '%C3')}.${id0}`), key === '%C3' ? 400 : 422, '/cursor');
  }
  assert.equal((await coord.get(`/api/v1/systems?sort=name&cursor=name.${encodeURIComponent('Hệ thống \\x0a \\\\')}.${id0}`)).status, 200);
  assertProblem(await coord.get('/api/v1/systems?sort=level&cursor=level.1x.01900000-0000-7000-8000-000000000000'), 422, '/cursor');
  // other filters
  assertProblem(await coord.get('/api/v1/systems?level=9'), 422, '/level');
  assertProblem(await coord.get('/api/v1/systems?retired=maybe'), 422, '/retired');
  assertProblem(await coord.get('/api/v1/hosts?system=x'), 422, '/system');
  assertProblem(await coord.get('/api/v1/warnings?severity=urgent'), 422, '/severity');
  assertProblem(await coord.get('/api/v1/hunts?status=late'), 422, '/status');
  assertProblem(await coord.get(`/api/v1/systems?q=${'a'.repeat(301)}`), 422, '/q');
});

test('a cursor carries only what its reader saw: another commune paging with it sees only its own', async () => {
  const page = await ok(await coord.get(`/api/v1/systems?q=${tag}&sort=name&limit=1`), 200);
  const r = await ok(await longhai.get(`/api/v1/systems?q=${tag}&sort=name&limit=500&cursor=${encodeURIComponent(page.next_cursor)}`), 200);
  for (const s of r.items) assert.equal(s.org.code, 'pq-longhai');
});
