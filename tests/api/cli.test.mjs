// The command line: help and usage errors, `init`, `report new|list|show|move`
// against a running server with --url/--token, and `admin audit-verify` on
// an intact and on a tampered audit log.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, sqlite3, dbFor, keyFileFor, copyPgDb, dropDb, pgBase } from '../lib/server.mjs';
import { test, before, after, Client, run, tokenFor, getIncident } from './helpers.mjs';

const EN = { UNGCUU_LANG: 'en', LANG: 'C.UTF-8' };
let server, tokCoord, tokTam, api, tmp;

before(async () => {
  server = await startServer();
  tokCoord = tokenFor(server, 'dieuphoi');
  tokTam = tokenFor(server, 'tamthanh');
  api = new Client(server.url);
  api.token = tokCoord;
  tmp = mkdtempSync(join(tmpdir(), 'ungcuu-cli-'));
});
after(async () => {
  await server?.stop();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

function sql(db, query) {
  return sqlite3(['-cmd', '.timeout 5000', db, query], { encoding: 'utf8' }).trim();
}

// One line on stderr, nothing on stdout.
function usageError(r, what) {
  assert.equal(r.status, 2, `${what}: exit ${r.status} (${r.stderr})`);
  const lines = r.stderr.split('\n').filter((l) => l.length > 0);
  assert.equal(lines.length, 1, `${what}: one line on stderr, got ${JSON.stringify(r.stderr)}`);
  assert.match(lines[0], /^ungcuu: /);
}

// `report …` against the test server as dieuphoi (or another token).
function report(args, { token = tokCoord, env = EN } = {}) {
  return run(['report', ...args, '--url', server.url, '--token', token], { env });
}

test('`ungcuu help` exits 0 and lists the commands', () => {
  const r = run(['help'], { env: EN });
  assert.equal(r.status, 0, r.stderr);
  for (const c of ['init', 'serve', 'admin', 'report', 'demo', 'version', 'help']) {
    assert.match(r.stdout, new RegExp(`^  ${c} `, 'm'), c);
  }
  assert.equal(run(['--help']).status, 0);
  const v = run(['version']);
  assert.equal(v.status, 0);
  assert.match(v.stdout, /^ungcuu \d+\.\d+\.\d+/);
});

test('`ungcuu CMD --help` exits 0 for every command and admin verb', () => {
  const help = run(['help'], { env: EN }).stdout;
  const cmds = [...help.matchAll(/^ {2}([a-z][a-z-]*) {2,}/gm)].map((m) => m[1]);
  assert.ok(cmds.length >= 7, `commands: ${cmds}`);
  for (const c of cmds) {
    const r = run([c, '--help'], { env: EN });
    assert.equal(r.status, 0, `${c} --help: exit ${r.status} ${r.stderr}`);
    assert.ok(r.stdout.length > 0, `${c} --help prints something`);
  }
  const admin = run(['admin', '--help'], { env: EN });
  assert.equal(admin.status, 0);
  const verbs = [...admin.stdout.matchAll(/^ {2}([a-z][a-z-]*)(?: ([a-z][a-z0-9-]*))? /gm)].map((m) => [m[1], m[2]].filter(Boolean));
  assert.ok(verbs.length >= 10, `admin verbs: ${JSON.stringify(verbs)}`);
  for (const v of verbs) {
    const r = run(['admin', ...v, '--help'], { env: EN });
    assert.equal(r.status, 0, `admin ${v.join(' ')} --help: exit ${r.status} ${r.stderr}`);
    assert.match(r.stdout, /usage: ungcuu admin/);
  }
});

test('an unknown command or option exits 2 with one line on stderr', () => {
  const cases = [
    [['frobnicate'], 'unknown command'],
    [['--frobnicate'], 'unknown top-level option'],
    [['version', '--frobnicate'], 'version unknown option'],
    [['help', '--frobnicate'], 'help unknown option'],
    [['report', '--frobnicate'], 'report unknown option'],
    [['report'], 'report without a verb'],
    [['init', '--frobnicate'], 'init unknown option'],
    [['serve', '--frobnicate'], 'serve unknown option'],
    [['demo', '--frobnicate'], 'demo unknown option'],
    [['admin', 'frobnicate'], 'admin unknown group'],
    [['admin', 'user', 'frobnicate'], 'admin unknown verb'],
    [['admin', 'user', 'list', '--db', server.db, '--frobnicate'], 'admin unknown option'],
    [['report', 'frobnicate', '--token', 'x', '--url', server.url], 'report unknown verb'],
    [['report', 'new', '--title'], 'option without its value'],
  ];
  const wrong = [];
  for (const [args, what] of cases) {
    try {
      usageError(run(args, { env: EN }), what);
    } catch (e) {
      wrong.push(`ungcuu ${args.join(' ')}: ${e.message.split('\n')[0]}`);
    }
  }
  try {
    usageError(run(['report', 'list', '--url', server.url], { env: { ...EN, UNGCUU_TOKEN: undefined } }), 'report without a token');
  } catch (e) {
    wrong.push(`report list without a token: ${e.message.split('\n')[0]}`);
  }
  assert.deepEqual(wrong, []);
  const r = run(['frobnicate'], { env: EN });
  assert.match(r.stderr, /frobnicate/);
  assert.equal(r.stdout, '');
});

test('`ungcuu init --db X --json` prints {username, password}; a second init changes nothing', async () => {
  const dir = mkdtempSync(join(tmp, 'init-'));
  const db = dbFor(dir, { create: true });
  const r = run(['init', '--db', db, '--json'], { env: EN });
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.equal(out.username, 'admin');
  assert.equal(typeof out.password, 'string');
  assert.ok(out.password.length >= 12);
  const users = sql(db, 'SELECT id, username, pw_hash FROM users ORDER BY id');
  const key = readFileSync(keyFileFor(db), 'utf8');
  const again = run(['init', '--db', db, '--json'], { env: EN });
  assert.ok(!again.stdout.includes('password'), `no new password: ${again.stdout}`);
  assert.equal(sql(db, 'SELECT id, username, pw_hash FROM users ORDER BY id'), users);
  assert.equal(readFileSync(keyFileFor(db), 'utf8'), key);
  assert.match(again.stderr, /already exists/);
  // the printed password logs in
  const s = await startServer({ dir });
  try {
    const c = new Client(s.url);
    const l = await c.login('admin', out.password);
    assert.equal(l.status, 200, l.text);
    assert.deepEqual(l.body.user.roles, ['admin']);
  } finally {
    await s.stop();
  }
});

test('`report new` files an incident through the API (text and --json)', async () => {
  const r = report(['new', '--title', 'Máy chủ thư bị dò mật khẩu (CLI)', '--description', 'Nhiều lần đăng nhập sai',
    '--type', 'intrusion', '--org', 'pq-tamthanh']);
  assert.equal(r.status, 0, r.stderr);
  const m = r.stdout.trim().match(/^(PQ-\d{4}-\d{4}) ([0-9a-f-]{36})$/);
  assert.ok(m, `prints NUMBER ID: ${r.stdout}`);
  const i = await getIncident(api, m[2]);
  assert.equal(i.number, m[1]);
  assert.equal(i.title, 'Máy chủ thư bị dò mật khẩu (CLI)');
  assert.equal(i.org.code, 'pq-tamthanh');
  assert.equal(i.created_by.username, 'dieuphoi');
  const j = report(['new', '--title', 'Thư giả mạo (CLI)', '--description', 'd', '--type', 'phishing',
    '--detected-at', new Date(Date.now() - 600_000).toISOString(), '--json'], { token: tokTam });
  assert.equal(j.status, 0, j.stderr);
  const body = JSON.parse(j.stdout);
  assert.equal(body.status, 'received');
  assert.equal(body.org.code, 'pq-tamthanh');
  assert.equal(body.type, 'phishing');
  // a refusal by the server: exit 1, one line naming the field
  const bad = report(['new', '--title', 'x', '--description', 'd', '--type', 'virus']);
  assert.equal(bad.status, 1);
  const lines = bad.stderr.trim().split('\n');
  assert.equal(lines.length, 1, bad.stderr);
  assert.match(lines[0], /422/);
  assert.match(lines[0], /\/type/);
});

test('`report list` and `report show` (text and --json)', async () => {
  const made = JSON.parse(report(['new', '--title', 'Danh sách CLI', '--description', 'd', '--type', 'dos', '--org', 'pq-longhai', '--json']).stdout);
  const l = report(['list', '--status', 'received', '--json']);
  assert.equal(l.status, 0, l.stderr);
  const list = JSON.parse(l.stdout);
  assert.ok(list.items.some((x) => x.id === made.id));
  assert.ok(list.items.every((x) => x.status === 'received'));
  const t = report(['list', '--type', 'dos', '--org', 'pq-longhai']);
  assert.equal(t.status, 0, t.stderr);
  assert.match(t.stdout.split('\n')[0], /NUMBER/);
  assert.ok(t.stdout.includes(made.number));
  const o = report(['list', '--overdue', '--json']);
  assert.equal(o.status, 0, o.stderr);
  assert.ok(JSON.parse(o.stdout).items.length >= 1);
  assert.ok(JSON.parse(o.stdout).items.every((x) => x.overdue));
  const s = report(['show', made.number]);
  assert.equal(s.status, 0, s.stderr);
  assert.ok(s.stdout.startsWith(`${made.number}  Danh sách CLI`), s.stdout);
  assert.match(s.stdout, /created/);
  const sj = report(['show', made.id, '--json']);
  assert.equal(sj.status, 0, sj.stderr);
  const shown = JSON.parse(sj.stdout);
  assert.equal(shown.id, made.id);
  assert.ok(Array.isArray(shown.timeline));
  const missing = report(['show', 'PQ-1999-9999']);
  assert.equal(missing.status, 1);
  assert.equal(missing.stderr.trim().split('\n').length, 1);
  // the tamthanh token cannot see a Long Hải incident
  const scoped = report(['show', made.id], { token: tokTam });
  assert.equal(scoped.status, 1);
  assert.match(scoped.stderr, /404/);
});

test('`report move` walks an incident, with the server\'s refusals as exit 1', async () => {
  const made = JSON.parse(report(['new', '--title', 'Chuyển trạng thái CLI', '--description', 'd', '--type', 'malware', '--org', 'pq-nguphung', '--json']).stdout);
  const a = report(['move', made.number, '--to', 'acknowledged']);
  assert.equal(a.status, 0, a.stderr);
  assert.equal(a.stdout.trim(), `${made.number} acknowledged (v2)`);
  const v = report(['move', made.id, '--to', 'verified', '--json']);
  assert.equal(v.status, 0, v.stderr);
  assert.equal(JSON.parse(v.stdout).status, 'verified');
  const noSev = report(['move', made.id, '--to', 'classified']);
  assert.equal(noSev.status, 1);
  assert.match(noSev.stderr, /422.*\/severity/);
  const c = report(['move', made.id, '--to', 'classified', '--severity', 'medium', '--escalate', '--json']);
  assert.equal(c.status, 0, c.stderr);
  const cj = JSON.parse(c.stdout);
  assert.equal(cj.severity, 'medium');
  assert.equal(cj.escalate, true);
  const conflict = report(['move', made.id, '--to', 'closed', '--summary', 'x']);
  assert.equal(conflict.status, 1);
  assert.equal(conflict.stderr.trim().split('\n').length, 1);
  assert.match(conflict.stderr, /409/);
  const stale = report(['move', made.id, '--to', 'containing', '--version', '1']);
  assert.equal(stale.status, 1);
  assert.match(stale.stderr, /412/);
  const role = report(['move', made.id, '--to', 'containing'], { token: tokTam });
  assert.equal(role.status, 1);
  assert.match(role.stderr, /40[34]/);
  const i = await getIncident(api, made.id);
  assert.equal(i.status, 'classified');
  assert.equal(i.version, 4);
  const missingTo = report(['move', made.id]);
  usageError(missingTo, 'move without --to');
});

test('report: a bad token exits 1 naming 401; an unreachable server exits 1; the environment may carry URL and token', () => {
  const bad = report(['list'], { token: 'x'.repeat(47) });
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /401/);
  const down = run(['report', 'list', '--url', 'http://127.0.0.1:9', '--token', tokCoord], { env: EN });
  assert.equal(down.status, 1);
  assert.equal(down.stderr.trim().split('\n').length, 1, down.stderr);
  const env = run(['report', 'list', '--json', '--limit', '1'], { env: { ...EN, UNGCUU_URL: server.url, UNGCUU_TOKEN: tokCoord } });
  assert.equal(env.status, 0, env.stderr);
  assert.equal(JSON.parse(env.stdout).items.length, 1);
});

test('`admin audit-verify`: 0 when intact; 1 naming entry 3 after one row is altered; 1 after the last row is deleted', async () => {
  const s = await startServer({ keep: true });
  let dir;
  try {
    dir = s.dir;
    // some audited writes through the API first
    const c = new Client(s.url);
    c.token = tokenFor(s, 'dieuphoi');
    const made = await c.post('/api/v1/incidents', { title: 'Kiểm toán', description: 'd', type: 'other', detected_at: new Date(Date.now() - 60_000).toISOString() });
    assert.equal(made.status, 201, made.text);
  } finally {
    await s.stop();
  }
  try {
    const db = dbFor(dir);
    const ok = run(['admin', 'audit-verify', '--db', db], { env: EN });
    assert.equal(ok.status, 0, ok.stderr);
    assert.match(ok.stdout, /intact/);
    const okj = JSON.parse(run(['admin', 'audit-verify', '--db', db, '--json'], { env: EN }).stdout);
    assert.equal(okj.intact, true);
    assert.ok(okj.entries >= 10);

    const copy = (name) => {
      const p = join(dir, name);
      if (pgBase) return copyPgDb(db, p);
      copyFileSync(db, p);
      // The key and the signed checkpoint go with the database (audit.h).
      for (const ext of ['-wal', '-shm', '.key', '.checkpoint']) if (existsSync(db + ext)) copyFileSync(db + ext, p + ext);
      return p;
    };
    const altered = copy('altered.db');
    sql(altered, "UPDATE audit_log SET after = coalesce(after, '') || ' ' WHERE seq = 3");
    const bad = run(['admin', 'audit-verify', '--db', altered], { env: EN });
    assert.equal(bad.status, 1, bad.stdout + bad.stderr);
    assert.match(bad.stderr, /entry 3\b/);
    const badj = JSON.parse(run(['admin', 'audit-verify', '--db', altered, '--json'], { env: EN }).stdout);
    assert.equal(badj.intact, false);
    assert.equal(badj.first_broken, 3);

    const cut = copy('cut.db');
    const last = Number(sql(cut, 'SELECT max(seq) FROM audit_log'));
    sql(cut, `DELETE FROM audit_log WHERE seq = ${last}`);
    const tail = run(['admin', 'audit-verify', '--db', cut], { env: EN });
    assert.equal(tail.status, 1, tail.stdout + tail.stderr);
    assert.match(tail.stderr, new RegExp(`entry ${last}\\b`));
    // the original is still intact
    assert.equal(run(['admin', 'audit-verify', '--db', db]).status, 0);
  } finally {
    if (pgBase) for (const d of [dir, join(dir, 'altered.db'), join(dir, 'cut.db')]) dropDb(d);
    rmSync(dir, { recursive: true, force: true });
  }
});
