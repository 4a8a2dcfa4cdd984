// `ungcuu migrate` (issue 14, the package's upgrade step) and the migration
// at `serve`'s start: a copy beside the database first, every pending
// migration in one transaction, and a failing one leaves the database as it
// was (same dump) and says which one failed; usage errors change nothing.
import assert from 'node:assert/strict';
import { sqlite3 } from '../lib/server.mjs';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, before, after, run } from './helpers.mjs';

const EN = { UNGCUU_LANG: 'en', LANG: 'C.UTF-8' };
let tmp;

before(() => {
  tmp = mkdtempSync(join(tmpdir(), 'ungcuu-migrate-'));
});
after(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

function sql(db, query) {
  return sqlite3(['-cmd', '.timeout 5000', db, query], { encoding: 'utf8' }).trim();
}
const dump = (db) => sql(db, '.dump');
const version = (db) => Number(sql(db, 'SELECT MAX(version) FROM schema_migrations'));

function fresh(name) {
  const dir = join(tmp, name);
  execFileSync('mkdir', ['-p', dir]);
  const db = join(dir, 'ungcuu.db');
  const r = run(['init', '--db', db], { env: EN });
  assert.equal(r.status, 0, r.stderr);
  return { dir, db };
}
const copies = (dir) => readdirSync(dir).filter((f) => f.includes('-before-v'));
const v3 = (n) => `v${String(n).padStart(3, '0')}`;

// 009_clocks taken back out by hand: an instance of the version before it.
// Only while 009 is the newest migration (the success path with any newer
// one is tests/pkg/deb.sh's: a package with an extra migration).
function previousVersion(db) {
  sql(db, 'DELETE FROM schema_migrations WHERE version = 9; ' +
    'ALTER TABLE systems DROP COLUMN retired_at; ALTER TABLE hosts DROP COLUMN retired_at;');
}

test('migrate --help; usage errors: one line, exit 2', () => {
  const h = run(['migrate', '--help'], { env: EN });
  assert.equal(h.status, 0);
  assert.match(h.stdout, /ungcuu migrate --db PATH/);
  assert.match(h.stdout, /one transaction/);
  for (const args of [['migrate'], ['migrate', '--db'], ['migrate', '--bogus', 'x']]) {
    const r = run(args, { env: EN });
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.equal(r.stderr.trim().split('\n').length, 1);
  }
});

test('a database that is not there: exit 1, nothing created', () => {
  const db = join(tmp, 'none', 'ungcuu.db');
  const r = run(['migrate', '--db', db], { env: EN });
  assert.equal(r.status, 1);
  assert.match(r.stderr, /none\/ungcuu\.db/);
  assert.equal(existsSync(db), false);
});

test('up to date: says so, exit 0, no copy, nothing changed', () => {
  const { dir, db } = fresh('current');
  const before = dump(db);
  const r = run(['migrate', '--db', db], { env: EN });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, new RegExp(`up to date.*${v3(version(db))}`));
  assert.equal(run(['migrate', '--db', db, '--check']).status, 0);
  assert.deepEqual(copies(dir), []);
  assert.equal(dump(db), before);
});

test('an older database: --check exits 1; migrate copies it beside, then migrates', (t) => {
  const { dir, db } = fresh('older');
  if (version(db) !== 9) {
    t.skip('009 is no longer the newest migration: tests/pkg/deb.sh covers this');
    return;
  }
  previousVersion(db);
  const check = run(['migrate', '--db', db, '--check'], { env: EN });
  assert.equal(check.status, 1);
  assert.match(check.stdout, /v008 -> v009/);
  assert.equal(version(db), 8);

  const r = run(['migrate', '--db', db], { env: EN });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /Copy taken before the upgrade: .*ungcuu-before-v008-\d{8}T\d{6}Z\.db/);
  assert.match(r.stdout, /v008 -> v009/);
  assert.equal(version(db), 9);
  const [copy] = copies(dir).filter((f) => f.endsWith('.db'));
  assert.ok(copy, `a copy in ${readdirSync(dir)}`);
  assert.equal(version(join(dir, copy)), 8, 'the copy is the database before');
  assert.ok(existsSync(join(dir, `${copy}.key`)), 'with its key');
  // The migrated database passes the audit check.
  const v = run(['admin', 'audit-verify', '--db', db], { env: EN });
  assert.equal(v.status, 0, v.stdout + v.stderr);
  // --backup-dir puts it elsewhere; --no-backup takes none.
  const other = join(tmp, 'elsewhere');
  execFileSync('mkdir', ['-p', other]);
  previousVersion(db);
  assert.equal(run(['migrate', '--db', db, '--backup-dir', other], { env: EN }).status, 0);
  assert.equal(copies(other).filter((f) => f.endsWith('.db')).length, 1);
});

test('a migration that fails: the database is as it was, the failing step named, exit 1', () => {
  // The newest migrations run again over what they made (a table or column
  // that exists): the first that fails so fails the upgrade, and in one
  // transaction nothing of them may stay (009_clocks, for one, inserts rows
  // before its ALTER TABLE fails). Some migrations change nothing on SQLite
  // (029 is PostgreSQL's) and run again without failing: as many of the
  // newest are taken back as it needs for one that does.
  let k = 1;
  for (; k <= 5; k++) {
    const probe = fresh(`failing-probe-${k}`).db;
    sql(probe, `DELETE FROM schema_migrations WHERE version > ${version(probe) - k}`);
    if (run(['migrate', '--db', probe, '--no-backup'], { env: EN }).status === 1) break;
  }
  assert.ok(k <= 5, 'one of the five newest migrations fails when run again');
  const { db } = fresh('failing');
  const newest = version(db);
  const name = sql(db, `SELECT name FROM schema_migrations WHERE version = ${newest - k + 1}`);
  sql(db, `DELETE FROM schema_migrations WHERE version > ${newest - k}`);
  const prev = version(db);
  const before = dump(db);
  const r = run(['migrate', '--db', db, '--no-backup'], { env: EN });
  assert.equal(r.status, 1);
  assert.match(r.stderr, new RegExp(`upgrade failed; the database is unchanged: .*\\(${v3(prev)}\\).*${name}: `));
  assert.equal(dump(db), before);
  assert.equal(version(db), prev);

  // serve migrates at start: the same refusal on stderr (the journal), exit 1.
  const s = run(['serve', '--db', db, '--listen', '127.0.0.1:1'], { env: EN });
  assert.equal(s.status, 1);
  assert.match(s.stderr, new RegExp(`upgrade failed; the database is unchanged: .*${name}`));
  assert.equal(dump(db), before);
});

test('a database newer than the program: refused, nothing changed', () => {
  const { db } = fresh('newer');
  sql(db, "INSERT INTO schema_migrations (version, name, applied_at) VALUES (999, '999_future', 0)");
  const before = dump(db);
  const r = run(['migrate', '--db', db], { env: EN });
  assert.equal(r.status, 1);
  assert.match(r.stderr, /newer than this program \(v999 > v\d{3}\)/);
  assert.equal(dump(db), before);
});
