// The audit log proves the database (issue 11, item 9), and backup/restore.
// Each edit of item 9 is made with sqlite3 on a copy (database, key and
// checkpoint), as a person with the database file would; `admin
// audit-verify` must fail and name what changed. A clean and a demo
// database verify. A backup taken while the server writes restores into a
// new path, a server starts on it and reads the data back.
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, bin, sqlite3, pgBase } from '../lib/server.mjs';
import { test, before, after, run, loginAs, report, Client } from './helpers.mjs';

const EN = { UNGCUU_LANG: 'en', LANG: 'C.UTF-8' };
let tmp, demo;

function sql(db, query) {
  return sqlite3(['-cmd', '.timeout 5000', db, query], { encoding: 'utf8' }).trim();
}
function rows(db, query) {
  const out = sqlite3(['-json', '-cmd', '.timeout 5000', db, query], { encoding: 'utf8' }).trim();
  return out ? JSON.parse(out) : [];
}
function verify(db) {
  const r = run(['admin', 'audit-verify', '--db', db, '--json'], { env: EN });
  assert.ok(r.stdout, r.stderr);
  return { status: r.status, ...JSON.parse(r.stdout) };
}
function verifyText(db) {
  return run(['admin', 'audit-verify', '--db', db], { env: EN });
}
// A copy of the database with its key and checkpoint.
function copy(name) {
  const p = join(tmp, name);
  for (const ext of ['', '.key', '.checkpoint', '-wal', '-shm']) {
    if (existsSync(demo + ext)) copyFileSync(demo + ext, p + ext);
  }
  return p;
}
function named(v, kind, table, id, field) {
  return v.report.some((p) => p.kind === kind && (table === undefined || p.table === table) &&
    (id === undefined || p.id === id) && (field === undefined || p.field === field));
}
function assertNamed(db, kind, table, id, field) {
  const v = verify(db);
  assert.equal(v.status, 1, JSON.stringify(v));
  assert.equal(v.intact, false);
  assert.ok(named(v, kind, table, id, field),
    `expected ${kind} ${table} ${id} ${field} in ${JSON.stringify(v.report)}`);
  // The text form names it too, on stderr, and exits 1.
  const t = verifyText(db);
  assert.equal(t.status, 1);
  if (id) assert.match(t.stderr, new RegExp(`${table} ${id}${field ? ` ${field}` : ''}`));
  return v;
}

before(() => {
  tmp = mkdtempSync(join(tmpdir(), 'ungcuu-audit-'));
  demo = join(tmp, 'demo.db');
  execFileSync(bin, ['demo', '--db', demo, '--json'], { encoding: 'utf8' });
});
after(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

test('a new database and the demo database verify; the key and checkpoint are 0600 beside them', () => {
  const fresh = join(tmp, 'fresh.db');
  execFileSync(bin, ['init', '--db', fresh, '--json'], { encoding: 'utf8' });
  const f = verify(fresh);
  assert.equal(f.status, 0, JSON.stringify(f));
  assert.equal(f.intact, true);
  assert.ok(f.entries >= 2 && f.rows >= 2);
  const d = verify(demo);
  assert.equal(d.status, 0, JSON.stringify(d));
  assert.equal(d.problems, 0);
  assert.equal(d.checkpoint, d.entries);
  assert.match(verifyText(demo).stdout, /intact/);
  for (const ext of ['.key', '.checkpoint']) {
    assert.equal((statSync(demo + ext).mode & 0o777).toString(8), '600');
  }
  // Neither the key nor anything derived from it is in the database.
  const key = execFileSync('cat', [`${demo}.key`], { encoding: 'utf8' }).trim();
  assert.equal(sql(demo, `SELECT count(*) FROM meta WHERE value LIKE '%${key.slice(0, 64)}%'`), '0');
});

test('a row deleted from incidents is named', () => {
  const db = copy('deleted.db');
  const id = sql(db, 'SELECT id FROM incidents ORDER BY id LIMIT 1');
  sql(db, `DELETE FROM incidents WHERE id = '${id}'`);
  assertNamed(db, 'missing', 'incidents', id);
});

test('a title changed in place is named with its field', () => {
  const db = copy('title.db');
  const id = sql(db, 'SELECT id FROM incidents ORDER BY id DESC LIMIT 1');
  sql(db, `UPDATE incidents SET title = 'Không có sự cố' WHERE id = '${id}'`);
  assertNamed(db, 'changed', 'incidents', id, 'title');
});

test('a user given the admin role in the database is named', () => {
  const db = copy('role.db');
  const id = sql(db, "SELECT id FROM users WHERE username = 'tamthanh'");
  sql(db, `UPDATE users SET roles = 'admin,reporter,focal' WHERE id = '${id}'`);
  assertNamed(db, 'changed', 'users', id, 'roles');
  // A new administrator inserted by hand: a row with no entry.
  sql(db, "INSERT INTO users (id, username, org_id, roles, pw_hash, created_at) " +
    "SELECT 'ghost', 'ghost', org_id, 'admin', pw_hash, 0 FROM users WHERE username = 'admin'");
  assertNamed(db, 'unlogged', 'users', 'ghost');
});

test('a second factor or an agent key put in by hand is named (the tables added with issue 11 are audited too)', () => {
  const db = copy('factors.db');
  const uid = sql(db, "SELECT id FROM users WHERE username = 'dieuphoi'");
  // An attacker's own authenticator for the coordinator, and recovery codes.
  sql(db, `INSERT INTO user_totp (user_id, secret, enabled_at, created_at) VALUES ('${uid}', 'JBSWY3DPEHPK3PXP', 1, 1)`);
  assertNamed(db, 'unlogged', 'user_totp', uid);
  sql(db, `INSERT INTO recovery_codes (id, user_id, hash, created_at) VALUES ('rc-ghost', '${uid}', 'x', 1)`);
  assertNamed(db, 'unlogged', 'recovery_codes', 'rc-ghost');
  // A key moved onto another host.
  const host = sql(db, 'SELECT id FROM hosts ORDER BY id LIMIT 1');
  sql(db, `INSERT INTO agent_keys (public_key, host_id, enrolled_at) VALUES ('${'ab'.repeat(32)}', '${host}', 1)`);
  assertNamed(db, 'unlogged', 'agent_keys', 'ab'.repeat(32));
});

test('timeline events deleted are named', () => {
  const db = copy('events.db');
  const inc = sql(db, 'SELECT incident_id FROM events GROUP BY incident_id ORDER BY count(*) DESC LIMIT 1');
  const ids = sql(db, `SELECT id FROM events WHERE incident_id = '${inc}'`).split('\n');
  assert.ok(ids.length >= 2);
  sql(db, `DELETE FROM events WHERE incident_id = '${inc}'`);
  const v = assertNamed(db, 'missing', 'events', ids[0]);
  for (const id of ids) assert.ok(named(v, 'missing', 'events', id), id);
});

test('the newest entries cut with the stored head moved back are caught by the signed checkpoint', () => {
  const db = copy('cut.db');
  const n = Number(sql(db, 'SELECT max(seq) FROM audit_log'));
  sql(db, `DELETE FROM audit_log WHERE seq > ${n - 3}; ` +
    `UPDATE meta SET value = (SELECT hash FROM audit_log WHERE seq = ${n - 3}) WHERE key = 'audit_head'`);
  const v = assertNamed(db, 'checkpoint');
  assert.equal(v.entries, n - 3);
  assert.equal(v.checkpoint, n);
  assert.equal(v.first_broken, n - 2);
  // Removing the checkpoint file too does not help, nor does re-anchoring:
  // the rows the cut entries wrote no longer match the log.
  rmSync(`${db}.checkpoint`);
  assertNamed(db, 'checkpoint');
  const anchored = run(['admin', 'audit-verify', '--db', db, '--anchor'], { env: EN });
  assert.equal(anchored.status, 1);
  assert.equal(existsSync(`${db}.checkpoint`), false);
});

test('a lost checkpoint alone: commits do not make it again; --anchor does, when nothing else is wrong', () => {
  const db = copy('lost.db');
  rmSync(`${db}.checkpoint`);
  const add = run(['admin', 'org', 'add', '--db', db, '--code', 'pq-moi', '--name', 'Xã mới',
    '--kind', 'commune', '--parent', 'pq'], { env: EN });
  assert.equal(add.status, 0, add.stderr);
  assert.equal(existsSync(`${db}.checkpoint`), false);
  assertNamed(db, 'checkpoint');
  const r = run(['admin', 'audit-verify', '--db', db, '--anchor'], { env: EN });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(verify(db).status, 0);
});

// The hash of an entry as the old, unkeyed chain computed it: what anyone
// with the database can recompute.
function plainHash(e) {
  const h = createHash('sha256');
  h.update(`${e.seq}|${e.at}|`);
  for (const v of [e.actor, e.action, e.entity, e.entity_id, e.before, e.after, e.prev_hash]) {
    if (v === null) h.update('-;');
    else h.update(`${Buffer.byteLength(v)}:`).update(v).update(';');
  }
  return h.digest('hex');
}

test('an edit with the chain recomputed after it is caught: the chain has a key', () => {
  for (const asOld of [false, true]) {
    const db = copy(`recomputed-${asOld}.db`);
    const id = sql(db, 'SELECT id FROM incidents ORDER BY id DESC LIMIT 1');
    const old = sql(db, `SELECT title FROM incidents WHERE id = '${id}'`);
    sql(db, `UPDATE incidents SET title = 'Đã sửa' WHERE id = '${id}'`);
    // Make the log say so as well, then recompute every hash from there on.
    const from = Number(sql(db, `SELECT max(seq) FROM audit_log WHERE rows LIKE '%${id}%'`));
    sql(db, `UPDATE audit_log SET rows = replace(rows, '"title":"${old.replaceAll("'", "''")}"', '"title":"Đã sửa"')` +
      `${asOld ? ', v = 1' : ''} WHERE seq >= ${from}`);
    const entries = rows(db, `SELECT seq, at, actor, action, entity, entity_id, before, after, prev_hash FROM audit_log WHERE seq >= ${from} ORDER BY seq`);
    let prev = sql(db, `SELECT hash FROM audit_log WHERE seq = ${from - 1}`);
    const updates = [];
    for (const e of entries) {
      e.prev_hash = prev;
      prev = plainHash(e);
      updates.push(`UPDATE audit_log SET prev_hash = '${e.prev_hash}', hash = '${prev}' WHERE seq = ${e.seq};`);
    }
    updates.push(`UPDATE meta SET value = '${prev}' WHERE key = 'audit_head';`);
    sql(db, updates.join('\n'));
    const v = assertNamed(db, 'chain');
    assert.equal(v.first_broken, from);
    assert.ok(v.report.some((p) => p.kind === 'chain' && p.seq === from &&
      /keyed|unkeyed/.test(p.detail)), JSON.stringify(v.report));
  }
});

test('the demo database copy itself is untouched by all this', () => {
  assert.equal(verify(demo).status, 0);
  const missing = join(tmp, 'nokey.db');
  copyFileSync(demo, missing);
  const r = verifyText(missing);
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /key is missing/);
});

// ---- backup and restore ----

// `admin backup` is SQLite's online backup API; a PostgreSQL database is
// backed up with PostgreSQL's own tools (pg_dump, pg_basebackup).
const sqliteOnly = pgBase ? 'admin backup is SQLite-only: on PostgreSQL, pg_dump or pg_basebackup' : false;

test('backup while the server writes; restore into a new path; a server on it reads the data back', { skip: sqliteOnly }, async () => {
  const srv = await startServer();
  const dir = join(tmp, 'backups');
  mkdirSync(dir);
  let restored;
  try {
    const tam = await loginAs(srv, 'tamthanh');
    const filed = [];
    let stop = false;
    // An attachment: its bytes are in the database and must come back.
    const withFile = await tam.post('/api/v1/incidents', report({ title: 'Có tệp đính kèm' }));
    assert.equal(withFile.status, 201, withFile.text);
    const bytes = Buffer.from('nhật ký máy chủ\n'.repeat(2000));
    const att = await tam.post(`/api/v1/incidents/${withFile.body.id}/attachments`, bytes,
      { 'Content-Type': 'text/plain', 'X-Filename': 'nhat-ky.txt' });
    assert.equal(att.status, 201, att.text);
    // A bounded stream of writes while the backup runs.
    const writer = (async () => {
      for (let i = 0; i < 60 && !stop; i++) {
        const r = await tam.post('/api/v1/incidents', report({ title: `Sao lưu ${i}` }));
        assert.equal(r.status, 201, r.text);
        filed.push(r.body.id);
      }
    })();
    while (filed.length < 3) await new Promise((ok) => setTimeout(ok, 20));
    const backup = await new Promise((ok) => {
      const p = spawn(bin, ['admin', 'backup', '--db', srv.db, '--out', dir, '--json'],
        { env: { ...process.env, ...EN } });
      let out = '', err = '';
      p.stdout.on('data', (d) => { out += d; });
      p.stderr.on('data', (d) => { err += d; });
      p.on('exit', (status) => ok({ status, out, err }));
    });
    stop = true;
    await writer;
    assert.equal(backup.status, 0, backup.err);
    const b = JSON.parse(backup.out);
    assert.equal(b.verified, true);
    assert.deepEqual(readdirSync(dir).sort(),
      [b.path, b.key, b.checkpoint].map((p) => p.slice(dir.length + 1)).sort());
    assert.equal((statSync(b.key).mode & 0o777).toString(8), '600');
    // The live database is intact after writes from the server and the admin.
    assert.equal(verify(srv.db).status, 0);
    const inBackup = Number(sql(b.path, 'SELECT count(*) FROM incidents'));
    assert.ok(inBackup >= 3 + Number(sql(demo, 'SELECT count(*) FROM incidents')));
    assert.equal(verify(b.path).status, 0);

    // Not over the database the server has open, not over an existing one.
    const inUse = run(['admin', 'restore', '--from', b.path, '--db', srv.db, '--force'], { env: EN });
    assert.equal(inUse.status, 1, inUse.stderr);
    assert.match(inUse.stderr, /in use/);
    const again = run(['admin', 'backup', '--db', srv.db, '--out', b.path], { env: EN });
    assert.equal(again.status, 1);
    assert.match(again.stderr, /exists/);

    const target = join(tmp, 'restored');
    mkdirSync(target);
    const db = join(target, 'ungcuu.db');
    const r = run(['admin', 'restore', '--from', b.path, '--db', db], { env: EN });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /Restored and verified/);
    assert.equal(verify(db).status, 0);
    const exists = run(['admin', 'restore', '--from', b.path, '--db', db], { env: EN });
    assert.equal(exists.status, 1);
    assert.match(exists.stderr, /--force/);

    restored = await startServer({ dir: target });
    const l = srv.login('tamthanh');
    const tam2 = new Client(restored.url);
    assert.equal((await tam2.login(l.username, l.password)).status, 200);
    const got = await tam2.get(`/api/v1/incidents/${filed[0]}`);
    assert.equal(got.status, 200, got.text);
    assert.equal(got.body.title, 'Sao lưu 0');
    const file = await tam2.get(`/api/v1/incidents/${withFile.body.id}/attachments/${att.body.id}`);
    assert.equal(file.status, 200);
    assert.equal(createHash('sha256').update(Buffer.from(file.text)).digest('hex'),
      createHash('sha256').update(bytes).digest('hex'));
    const more = await tam2.post('/api/v1/incidents', report({ title: 'Sau khôi phục' }));
    assert.equal(more.status, 201, more.text);
    await restored.stop();
    restored = null;
    assert.equal(verify(db).status, 0);
    // With --force over a stopped database: the restored one is replaced.
    const forced = run(['admin', 'restore', '--from', b.path, '--db', db, '--force'], { env: EN });
    assert.equal(forced.status, 0, forced.stderr);
    assert.equal(sql(db, "SELECT count(*) FROM incidents WHERE title = 'Sau khôi phục'"), '0');
    assert.equal(verify(db).status, 0);
  } finally {
    await restored?.stop();
    await srv.stop();
  }
});

test('a backup of a tampered database is refused and leaves nothing behind', () => {
  const db = copy('tampered.db');
  sql(db, "UPDATE users SET roles = 'admin' WHERE username = 'longhai'");
  const out = join(tmp, 'tampered-backup.db');
  const r = run(['admin', 'backup', '--db', db, '--out', out], { env: EN });
  assert.equal(r.status, 1);
  assert.match(r.stderr, /failed the audit check/);
  for (const ext of ['', '.key', '.checkpoint']) assert.equal(existsSync(out + ext), false, out + ext);
  // A restore from a tampered backup is refused before anything is swapped.
  const good = join(tmp, 'good-backup.db');
  assert.equal(run(['admin', 'backup', '--db', demo, '--out', good]).status, 0);
  sql(good, "DELETE FROM events WHERE rowid = (SELECT min(rowid) FROM events)");
  const target = join(tmp, 'never.db');
  const rr = run(['admin', 'restore', '--from', good, '--db', target], { env: EN });
  assert.equal(rr.status, 1);
  assert.equal(existsSync(target), false);
});

test('kill -9 while writes are in flight, five times: the log still proves the database', async () => {
  const srv = await startServer();
  try {
    for (let round = 0; round < 5; round++) {
      const tam = await loginAs(srv, 'tamthanh');
      let answered = 0;
      const inflight = [];
      for (let i = 0; i < 20; i++) {
        inflight.push(tam.post('/api/v1/incidents', report({ title: `kill ${round}.${i}` }))
          .then((r) => { if (r.status === 201) answered++; }, () => {}));
      }
      while (answered < 5) await new Promise((ok) => setTimeout(ok, 5));
      await srv.kill9();
      await Promise.all(inflight);
      await srv.restart();
      const v = verify(srv.db);
      assert.equal(v.status, 0, `round ${round}: ${JSON.stringify(v.report)}`);
    }
  } finally {
    await srv.stop();
  }
});
