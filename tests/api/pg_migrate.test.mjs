// `ungcuu admin migrate` (issue 18 item 4): a SQLite instance moved into
// PostgreSQL. The demo district with incidents, a comment, an observable
// and a binary attachment is copied; a server on the PostgreSQL copy shows
// the same incidents, finds them by search, gives the attachment's bytes
// back, lets the same people log in, and audit-verify passes there. A copy
// killed (-9) in the middle is taken up by running it again. Refused: a
// source in use, a target that is not empty, a partial copy of another
// source, a target that is not PostgreSQL.
// Needs a PostgreSQL server: UNGCUU_TEST_PG=postgres://user@host:port/
// (make check-pg starts one); skipped with a message without it.
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bin, freePort, root } from '../lib/server.mjs';
import { before, after } from 'node:test';
import { test, run, report, Client } from './helpers.mjs';

const PG = process.env.UNGCUU_TEST_PG;
const skip = PG ? false : 'no PostgreSQL: set UNGCUU_TEST_PG=postgres://user@host:port/ (make check-pg)';
if (!PG) process.stderr.write(`pg_migrate.test.mjs skipped: ${skip}\n`);

const VI = { UNGCUU_LANG: 'vi', LANG: 'C.UTF-8' };
let tmp, state, src, logins, srcServer, made = {};
const dbs = [];

function psql(db, sql) {
  return execFileSync('psql', ['-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1', `${PG}${db}`, '-c', sql],
    { encoding: 'utf8' }).trim();
}
function newDb(name) {
  const n = `ungcuu_mig_${process.pid}_${name}`;
  psql('postgres', `DROP DATABASE IF EXISTS ${n} WITH (FORCE)`);
  psql('postgres', `CREATE DATABASE ${n}`);
  dbs.push(n);
  return n;
}
const env = () => ({ ...VI, UNGCUU_STATE_DIR: state });
function migrate(from, to, extra = []) {
  return run(['admin', 'migrate', '--from', from, '--to', `${PG}${to}`, ...extra], { env: env(), timeout: 120_000 });
}

// A server on any database (the suite's startServer follows UNGCUU_TEST_DB).
async function serve(db) {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(bin, ['serve', '--db', db, '--listen', `127.0.0.1:${port}`,
    '--web', join(root, 'web', 'dist'), '--login-burst', '100000'],
  { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, ...env() } });
  let err = '';
  child.stderr.on('data', (d) => { err += d; });
  for (let i = 0; i < 200; i++) {
    try {
      if ((await fetch(`${url}/api/v1/health`)).ok) break;
    } catch { /* not up yet */ }
    await new Promise((r) => setTimeout(r, 50));
    assert.ok(i < 199 && child.exitCode === null, `server did not start: ${err}`);
  }
  return {
    url,
    async stop() {
      child.kill('SIGTERM');
      if (child.exitCode === null) await new Promise((ok) => child.once('exit', ok));
    },
  };
}
async function login(url, username) {
  const l = logins.find((x) => x.username === username);
  const c = new Client(url);
  const r = await c.login(l.username, l.password);
  assert.equal(r.status, 200, r.text);
  return c;
}
async function bytesOf(c, path) {
  const r = await fetch(c.url + path, { headers: { Cookie: c.cookie } });
  assert.equal(r.status, 200);
  return Buffer.from(await r.arrayBuffer());
}
const sha = (b) => createHash('sha256').update(b).digest('hex');

before(async () => {
  if (!PG) return;
  tmp = mkdtempSync(join(tmpdir(), 'ungcuu-pgmig-'));
  state = join(tmp, 'state');
  src = join(tmp, 'ungcuu.db');
  logins = JSON.parse(execFileSync(bin, ['demo', '--db', src, '--json'], { encoding: 'utf8' })).logins;
  srcServer = await serve(src);
  const tam = await login(srcServer.url, 'tamthanh');
  made.incidents = [];
  for (let i = 0; i < 5; i++) {
    const r = await tam.post('/api/v1/incidents', report({ title: `Chuyển dữ liệu ${i} – mã độc tống tiền` }));
    assert.equal(r.status, 201, r.text);
    made.incidents.push(r.body);
  }
  const inc = made.incidents[0];
  assert.equal((await tam.post(`/api/v1/incidents/${inc.id}/comments`,
    { body: 'Ghi chú\tcó tab, \\ gạch chéo và\nxuống dòng: kiến nghị cô lập' })).status, 201);
  // Every byte value, NUL and backslash included.
  made.bytes = Buffer.concat([Buffer.from([...Array(256).keys()]), Buffer.from('\\N\\.\n\r\t')]);
  const att = await tam.post(`/api/v1/incidents/${inc.id}/attachments`, made.bytes,
    { 'Content-Type': 'application/octet-stream', 'X-Filename': 'mau.bin' });
  assert.equal(att.status, 201, att.text);
  made.att = att.body;
  made.list = (await tam.get('/api/v1/incidents?limit=100')).body;
}, { timeout: 120_000 });

after(async () => {
  if (!PG) return;
  await srcServer?.stop();
  for (const n of dbs) psql('postgres', `DROP DATABASE IF EXISTS ${n} WITH (FORCE)`);
  rmSync(tmp, { recursive: true, force: true });
}, { timeout: 60_000 });

test('refused with nothing changed: a source in use, a target that is not PostgreSQL, missing options', { skip, timeout: 180_000 }, () => {
  const to = newDb('inuse');
  let r = migrate(src, to);
  assert.equal(r.status, 1, r.stderr);
  assert.match(r.stderr, /đang được dùng/);
  assert.equal(psql(to, "SELECT COUNT(*) FROM pg_tables WHERE schemaname = 'public'"), '0');
  r = run(['admin', 'migrate', '--from', src, '--to', join(tmp, 'other.db')], { env: env() });
  assert.equal(r.status, 2);
  assert.match(r.stderr, /postgres:\/\//);
  r = run(['admin', 'migrate', '--from', src], { env: env() });
  assert.equal(r.status, 2);
  r = run(['admin', 'migrate', '--from', src, '--to', `${PG}${to}`, '--batch', '0'], { env: env() });
  assert.equal(r.status, 2);
  for (const bad of ['abc', '1000001', '-5', '10x']) {
    r = run(['admin', 'migrate', '--from', src, '--to', `${PG}${to}`, '--batch', bad], { env: env() });
    assert.equal(r.status, 2, bad);
  }
  // Not a file, not an ungcuu database, an older schema: refused, target untouched.
  r = run(['admin', 'migrate', '--from', join(tmp, 'none.db'), '--to', `${PG}${to}`], { env: env() });
  assert.equal(r.status, 1);
  assert.match(r.stderr, /Không phải cơ sở dữ liệu ungcuu/);
  const foreign = join(tmp, 'foreign.db');
  execFileSync('sqlite3', [foreign, 'CREATE TABLE t (x); INSERT INTO t VALUES (1);']);
  r = run(['admin', 'migrate', '--from', foreign, '--to', `${PG}${to}`], { env: env() });
  assert.equal(r.status, 1);
  assert.match(r.stderr, /Không phải cơ sở dữ liệu ungcuu/);
  const older = join(tmp, 'older.db');
  execFileSync('sqlite3', [older, 'CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT, applied_at INTEGER); INSERT INTO schema_migrations VALUES (1, \'001_init\', 0);']);
  r = run(['admin', 'migrate', '--from', older, '--to', `${PG}${to}`], { env: env() });
  assert.equal(r.status, 1);
  assert.match(r.stderr, /ungcuu migrate --db/);
  assert.equal(psql(to, "SELECT COUNT(*) FROM pg_tables WHERE schemaname = 'public'"), '0');
  r = run(['admin', 'migrate', '--help'], { env: env() });
  assert.equal(r.status, 0);
  assert.match(r.stdout, /PostgreSQL/);
});

test('the instance moves: same incidents, search, attachment bytes, logins, audit log', { skip, timeout: 180_000 }, async () => {
  await srcServer.stop();
  srcServer = null;
  const to = newDb('whole');
  const r = run(['admin', 'migrate', '--from', src, '--to', `${PG}${to}`, '--json'], { env: env() });
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.equal(out.verified, true);
  assert.equal(out.resumed, false);
  assert.ok(out.tables > 50 && out.rows > 100, r.stdout);
  assert.match(r.stderr, /Đang chép incidents: 12\/12/);
  assert.equal((statSync(out.key).mode & 0o777).toString(8), '600');
  assert.equal(readFileSync(out.key, 'utf8'), readFileSync(`${src}.key`, 'utf8'));
  // The progress table is gone; the audit log is the source's, entry for entry.
  assert.equal(psql(to, "SELECT to_regclass('ungcuu_migrate_copy') IS NULL"), 't');
  const head = execFileSync('sqlite3', [src, 'SELECT COUNT(*), MAX(hash) FROM audit_log'], { encoding: 'utf8' }).trim();
  assert.equal(psql(to, 'SELECT COUNT(*), MAX(hash) FROM audit_log'), head);
  const v = run(['admin', 'audit-verify', '--db', `${PG}${to}`, '--json'], { env: env() });
  assert.equal(v.status, 0, v.stderr + v.stdout);
  assert.equal(JSON.parse(v.stdout).intact, true);

  const s = await serve(`${PG}${to}`);
  try {
    const tam = await login(s.url, 'tamthanh');
    const list = (await tam.get('/api/v1/incidents?limit=100')).body;
    assert.deepEqual(list.items.map((i) => [i.id, i.number, i.title, i.status]),
      made.list.items.map((i) => [i.id, i.number, i.title, i.status]));
    const found = (await tam.get(`/api/v1/incidents?q=${encodeURIComponent('kiến nghị cô lập')}`)).body;
    assert.deepEqual(found.items.map((i) => i.id), [made.incidents[0].id]);
    const byTitle = (await tam.get(`/api/v1/incidents?q=${encodeURIComponent('tong tien')}`)).body;
    assert.equal(byTitle.items.length, 5);
    const got = await bytesOf(tam, `/api/v1/incidents/${made.incidents[0].id}/attachments/${made.att.id}`);
    assert.equal(sha(got), sha(made.bytes));
    // Another person logs in; the next incident takes the next number.
    await login(s.url, 'dieuphoi');
    const next = await tam.post('/api/v1/incidents', report({ title: 'Sau khi chuyển' }));
    assert.equal(next.status, 201, next.text);
    assert.notEqual(next.body.number, made.incidents[4].number);
  } finally {
    await s.stop();
  }
  const v2 = run(['admin', 'audit-verify', '--db', `${PG}${to}`], { env: env() });
  assert.equal(v2.status, 0, v2.stderr);

  // Done once: the same target is no longer empty, and is refused.
  const again = migrate(src, to);
  assert.equal(again.status, 1);
  assert.match(again.stderr, /không trống/);
});

// Starts a copy with one row a batch and kills it (-9) once `lines`
// progress lines were printed.
function killedAfter(to, lines) {
  return new Promise((ok) => {
    const p = spawn(bin, ['admin', 'migrate', '--from', src, '--to', `${PG}${to}`, '--batch', '1'],
      { env: { ...process.env, ...env() } });
    let err = '', n = 0;
    p.stderr.on('data', (d) => {
      err += d;
      n = err.split('\n').length;
      if (n > lines) p.kill('SIGKILL');
    });
    p.on('exit', (code, signal) => ok({ code, signal, err }));
  });
}

test('kill -9 in the middle, twice: running it again finishes the copy', { skip, timeout: 180_000 }, async () => {
  if (srcServer) { await srcServer.stop(); srcServer = null; }
  const to = newDb('killed');
  const first = await killedAfter(to, 8);
  assert.equal(first.signal, 'SIGKILL', first.err);
  assert.equal(psql(to, "SELECT to_regclass('ungcuu_migrate_copy') IS NOT NULL"), 't');
  const second = await killedAfter(to, 60);
  assert.equal(second.signal, 'SIGKILL', second.err);
  const copied = Number(psql(to, "SELECT COALESCE(SUM(copied), 0) FROM ungcuu_migrate_copy"));
  assert.ok(copied > 0, 'some batches were committed before the kills');
  // A copy from another source into this partial one is refused.
  const other = join(tmp, 'other.db');
  execFileSync(bin, ['demo', '--db', other, '--json'], { encoding: 'utf8' });
  const wrong = migrate(other, to);
  assert.equal(wrong.status, 1);
  assert.match(wrong.stderr, /nguồn khác|khác khóa/);
  // Taken up again: the same result as a copy in one go.
  const r = migrate(src, to, ['--json']);
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.equal(out.resumed, true);
  assert.equal(out.verified, true);
  for (const t of ['incidents', 'audit_log', 'attachment_data', 'comments', 'events', 'users', 'orgs']) {
    const n = execFileSync('sqlite3', [src, `SELECT COUNT(*) FROM ${t}`], { encoding: 'utf8' }).trim();
    assert.equal(psql(to, `SELECT COUNT(*) FROM ${t}`), n, t);
  }
  assert.equal(psql(to, 'SELECT COUNT(*) FROM incident_fts'), psql(to, 'SELECT COUNT(*) FROM incidents'));
  assert.equal(run(['admin', 'audit-verify', '--db', `${PG}${to}`], { env: env() }).status, 0);
  const s = await serve(`${PG}${to}`);
  try {
    const tam = await login(s.url, 'tamthanh');
    const got = await bytesOf(tam, `/api/v1/incidents/${made.incidents[0].id}/attachments/${made.att.id}`);
    assert.equal(sha(got), sha(made.bytes));
  } finally {
    await s.stop();
  }
});
