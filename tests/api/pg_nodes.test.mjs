// Two `ungcuu serve` nodes on one PostgreSQL database: a change made
// through node A is read at once through node B, although B keeps
// per-worker caches (issue 18 item 2, the cache side: LISTEN/NOTIFY on a
// control connection). Runs under `make check-pg` / the api-pg section of
// `make check` (UNGCUU_TEST_DB=pg); on SQLite it is skipped.
import assert from 'node:assert/strict';
import { test, before, after, Client, loginAs, file } from './helpers.mjs';
import { startServer, pgBase, sqlite3 } from '../lib/server.mjs';

const skip = pgBase ? false : 'needs PostgreSQL: UNGCUU_TEST_DB=pg UNGCUU_TEST_PG=postgres://… (make check-pg)';

let a;
let b;

// Each node with one worker thread, so that B's answers all come from one
// per-worker cache.
const args = ['--threads', '1', '--no-sync'];

function psql(sql) {
  return sqlite3([a.db, sql], { encoding: 'utf8' }).trim();
}

// The control connections (one per node) listening on this database.
function listeners() {
  const out = psql(`SELECT pid FROM pg_stat_activity WHERE datname = current_database()
    AND application_name = 'ungcuu-control' AND state = 'idle'
    AND (query LIKE 'LISTEN %' OR query = 'SELECT 1') ORDER BY pid`);
  return out ? out.split('\n').map(Number) : [];
}

// Waits (bounded) until n control connections, none of them in `old`, listen.
async function waitListeners(n, old = []) {
  for (let i = 0; i < 200; i++) {
    const now = listeners().filter((p) => !old.includes(p));
    if (now.length >= n) return now;
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.fail(`${n} control connections did not LISTEN (have ${listeners().join(', ')})`);
}

// The same session through node B (cookie and CSRF token copied).
function onB(client) {
  const c = new Client(b.url);
  c.cookie = client.cookie;
  c.csrf = client.csrf;
  return c;
}

// Revokes a user's sessions in the database directly: no NOTIFY, so a
// node whose cache has the session goes on accepting it.
function revokeBehindTheirBacks(username) {
  psql(`UPDATE tokens SET revoked_at = 1 WHERE kind = 'session' AND revoked_at IS NULL
    AND user_id = (SELECT id FROM users WHERE username = '${username}')`);
}

// A session of username cached on B, then revoked behind B's back: true
// when B still serves it from its cache. A commit anywhere in between (a
// background job of either node) rightly empties B's cache, so up to three
// fresh sessions are tried; with caching off on PostgreSQL all three fail.
async function servedStaleByB(username) {
  for (let attempt = 0; attempt < 3; attempt++) {
    const viaB = onB(await loginAs(a, username));
    assert.equal((await viaB.get('/api/v1/session')).status, 200);
    revokeBehindTheirBacks(username);
    if ((await viaB.get('/api/v1/session')).status === 200) return viaB;
  }
  return null;
}

before(async () => {
  if (skip) return;
  a = await startServer({ args });
  b = await startServer({ dir: a.dir, args });
  // Every node starts listening at its first authenticated request.
  const c = await loginAs(a, 'dieuphoi');
  assert.equal((await c.get('/api/v1/session')).status, 200);
  assert.equal((await onB(c).get('/api/v1/session')).status, 200);
  await waitListeners(2);
});

after(async () => {
  if (b) await b.stop();
  if (a) await a.stop();
});

test('node B caches on PostgreSQL: a session revoked behind its back is still served from its cache', { skip }, async () => {
  // No NOTIFY went out: B's cached answer stands (the cache is on). The
  // next test shows that a real logout does reach it.
  assert.ok(await servedStaleByB('tamthanh'), 'B read the database each time: no cache on PostgreSQL');
});

test('a logout through node A is refused through node B at once', { skip }, async () => {
  const c = await loginAs(a, 'longhai');
  const viaB = onB(c);
  assert.equal((await viaB.get('/api/v1/session')).status, 200);
  assert.equal((await viaB.get('/api/v1/session')).status, 200);
  assert.equal((await c.del('/api/v1/session')).status, 204);
  assert.equal((await viaB.get('/api/v1/session')).status, 401);
});

test('an incident edited through node A reads edited through node B at once', { skip }, async () => {
  const coord = await loginAs(a, 'dieuphoi');
  const viaB = onB(coord);
  const i = await file(coord, { title: 'Trước khi sửa / before' });
  for (let k = 0; k < 2; k++) {
    const g = await viaB.get(`/api/v1/incidents/${i.id}`);
    assert.equal(g.status, 200, g.text);
    assert.equal(g.body.title, 'Trước khi sửa / before');
  }
  const p = await coord.patch(`/api/v1/incidents/${i.id}`, { title: 'Đã sửa qua nút A / edited on A' },
    { 'If-Match': `"${i.version}"` });
  assert.equal(p.status, 200, p.text);
  const g = await viaB.get(`/api/v1/incidents/${i.id}`);
  assert.equal(g.status, 200, g.text);
  assert.equal(g.body.title, 'Đã sửa qua nút A / edited on A');
  assert.equal(g.body.version, i.version + 1);
  // and a write through B reaches A the same way
  const p2 = await viaB.patch(`/api/v1/incidents/${i.id}`, { title: 'Sửa qua B / edited on B' },
    { 'If-Match': `"${i.version + 1}"` });
  assert.equal(p2.status, 200, p2.text);
  assert.equal((await coord.get(`/api/v1/incidents/${i.id}`)).body.title, 'Sửa qua B / edited on B');
});

test('losing the control connection flushes every cache of the node', { skip }, async () => {
  const viaB = await servedStaleByB('tamthanh');
  assert.ok(viaB, 'served from the cache before the drop');
  const old = listeners();
  psql(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database()
    AND application_name = 'ungcuu-control'`);
  // Both nodes notice, flush and listen again on new connections.
  await waitListeners(2, old);
  assert.equal((await viaB.get('/api/v1/session')).status, 401);
});
