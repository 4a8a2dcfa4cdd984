// Starts a real `ungcuu serve` on a free loopback port with a fresh database,
// for the API and browser tests. Everything it starts, it stops.
import { spawn, execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
export const root = resolve(here, '..', '..');
export const bin = process.env.UNGCUU_BIN
  ? resolve(process.env.UNGCUU_BIN)
  : join(root, 'build', 'ungcuu');

// UNGCUU_TEST_DB=pg: every server gets a fresh PostgreSQL database on the
// cluster at UNGCUU_TEST_PG (postgres://user@host:port/, started by
// `make check-pg`), named after its directory, so a test that starts again
// on opts.dir finds the same one. Audit keys go to one state directory per
// test process (UNGCUU_STATE_DIR), named after the database.
export const pgBase = process.env.UNGCUU_TEST_DB === 'pg' ? process.env.UNGCUU_TEST_PG : null;
if (process.env.UNGCUU_TEST_DB === 'pg' && !pgBase) {
  throw new Error('UNGCUU_TEST_DB=pg needs UNGCUU_TEST_PG=postgres://user@host:port/');
}
if (pgBase && !process.env.UNGCUU_STATE_DIR) {
  const state = mkdtempSync(join(tmpdir(), 'ungcuu-pgstate-'));
  process.env.UNGCUU_STATE_DIR = state;
  process.on('exit', () => rmSync(state, { recursive: true, force: true }));
}

function pgName(dir) {
  return `t_${createHash('sha256').update(dir).digest('hex').slice(0, 20)}`;
}

function psql(sql) {
  execFileSync('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', `${pgBase}postgres`, '-c', sql],
    { stdio: ['ignore', 'ignore', 'pipe'] });
}

// The database of a test directory: a file in it, or (pg) a database.
export function dbFor(dir, { create = false } = {}) {
  if (!pgBase) return join(dir, 'ungcuu.db');
  const name = pgName(dir);
  if (create) {
    psql(`DROP DATABASE IF EXISTS ${name}`);
    psql(`CREATE DATABASE ${name}`);
  }
  return `${pgBase}${name}`;
}

// The audit key file of a test database (beside the file; for PostgreSQL
// in UNGCUU_STATE_DIR, named as store_side_path names it).
export function keyFileFor(db) {
  if (!pgBase) return `${db}.key`;
  const rest = db.replace(/^postgres(ql)?:\/\//, '').replace(/^[^@/?]*@/, '').replace(/\?.*$/, '');
  return join(process.env.UNGCUU_STATE_DIR ?? 'var', `pg-${rest.replace(/[^A-Za-z0-9.-]/g, '_')}.key`);
}

// A copy of a PostgreSQL test database (with its key and checkpoint) for
// the directory dir2: CREATE DATABASE ... TEMPLATE, the files copied.
export function copyPgDb(db, dir2) {
  const to = dbFor(dir2);
  const name = (u) => u.replace(/^.*\//, '').replace(/\?.*$/, '');
  psql(`DROP DATABASE IF EXISTS ${name(to)}`);
  psql(`CREATE DATABASE ${name(to)} TEMPLATE ${name(db)}`);
  for (const ext of ['.key', '.checkpoint']) {
    const from = keyFileFor(db).replace(/\.key$/, ext);
    if (existsSync(from)) copyFileSync(from, keyFileFor(to).replace(/\.key$/, ext));
  }
  return to;
}

export function dropDb(dir) {
  if (pgBase) psql(`DROP DATABASE IF EXISTS ${pgName(dir)} WITH (FORCE)`);
}

// Runs the sqlite3 shell's way (`sqlite3 [-json] [-cmd X] DB SQL`) on a
// test database: sqlite3 on a file, psql on a PostgreSQL URL (-json as
// json_agg of the rows, PRAGMA statements left out). Same return as
// execFileSync (a string with opts.encoding, else a Buffer).
export function sqlite3(args, opts = {}) {
  const rest = [];
  let json = false;
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '-json') json = true;
    else if (args[i] === '-cmd') i++;
    else rest.push(args[i]);
  }
  const [db, query] = rest;
  if (!/^postgres(ql)?:\/\//.test(db)) return execFileSync('sqlite3', args, opts);
  let q = query.replace(/PRAGMA [^;]*;/gi, '').trim().replace(/;\s*$/, '');
  if (json) q = `SELECT COALESCE(json_agg(t), '[]'::json) FROM (${q}) t`;
  const out = execFileSync('psql', ['-X', '-q', '-A', '-t', '-F', '|', '-v', 'ON_ERROR_STOP=1', db, '-c', q],
    { ...opts, encoding: 'utf8' });
  return opts.encoding ? out : Buffer.from(out);
}

// The sanitizers stop the program at the first finding, as in `make check`
// (tests/run-all.sh), also when a test file is run by hand.
export const sanEnv = {
  UBSAN_OPTIONS: 'halt_on_error=1:print_stacktrace=1',
  ASAN_OPTIONS: 'detect_leaks=1:abort_on_error=0',
  ...process.env,
};

export function freePort() {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.once('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => ok(port));
    });
  });
}

// Runs the ungcuu binary synchronously and returns stdout (throws on exit != 0).
export function cli(args, opts = {}) {
  return execFileSync(bin, args, { encoding: 'utf8', env: sanEnv, ...opts });
}

// opts.demo: seed the demo district (default true); opts.args: extra serve args.
// Returns { url, db, dir, logins, admin, stop(), kill9(), restart() }.
export async function startServer(opts = {}) {
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'ungcuu-test-'));
  const db = dbFor(dir, { create: !opts.dir });
  let logins = [];
  let admin = null;
  if (!opts.dir) {
    if (opts.demo !== false) {
      logins = JSON.parse(cli(['demo', '--db', db, '--json'])).logins;
    } else {
      admin = JSON.parse(cli(['init', '--db', db, '--json']));
    }
  }
  const port = await freePort();
  // With --tls-cert the server speaks HTTPS (a test trusting its own cert).
  const scheme = (opts.args ?? []).includes('--tls-cert') ? 'https' : 'http';
  const url = `${scheme}://127.0.0.1:${port}`;
  const web = opts.web ?? join(root, 'web', 'dist');
  let child;
  // Every test client comes from 127.0.0.1: the login gate gets a burst
  // no suite reaches and the address room for 200 concurrent requests,
  // unless a test sets its own (tests/api/limits.test.mjs).
  const args = opts.args ?? [];
  const gate = [
    ...(args.includes('--login-burst') ? [] : ['--login-burst', '100000']),
    ...(args.includes('--max-conns-per-ip') ? [] : ['--max-conns-per-ip', '512']),
  ];
  const start = async () => {
    child = spawn(bin, ['serve', '--db', db, '--listen', `127.0.0.1:${port}`,
      '--web', web, ...gate, ...args], { stdio: ['ignore', 'ignore', 'pipe'], env: sanEnv });
    let stderr = '';
    child.stderr.on('data', (d) => { stderr += d; child.stderrText = stderr; });
    child.once('exit', (code) => {
      if (code && code !== 0 && !child.stopping) process.stderr.write(stderr);
    });
    // Bounded wait for /health: 200 tries × 50 ms.
    for (let i = 0; i < 200; i++) {
      try {
        const r = await fetch(`${url}/api/v1/health`);
        if (r.ok) return;
      } catch { /* not up yet */ }
      await new Promise((r) => setTimeout(r, 50));
    }
    child.kill('SIGKILL');
    throw new Error(`server did not start: ${stderr}`);
  };
  const waitExit = () => new Promise((ok) => {
    if (child.exitCode !== null || child.signalCode !== null) ok();
    else child.once('exit', () => ok());
  });
  await start();
  return {
    url, db, dir, logins, admin,
    login(username) { return logins.find((l) => l.username === username); },
    async stop() {
      child.stopping = true;
      child.kill('SIGTERM');
      await waitExit();
      if (!opts.dir && !opts.keep) {
        dropDb(dir);
        rmSync(dir, { recursive: true, force: true });
      }
    },
    async kill9() { child.stopping = true; child.kill('SIGKILL'); await waitExit(); },
    signal(sig) { child.kill(sig); },
    stderr() { return child.stderrText; },
    async restart() { await start(); },
  };
}

// A tiny API client: keeps the session cookie and CSRF token like a browser.
export class Client {
  constructor(url, { lang } = {}) { this.url = url; this.cookie = null; this.csrf = null; this.token = null; this.lang = lang; }
  async login(username, password) {
    const r = await this.req('POST', '/api/v1/session', { username, password });
    if (r.status === 200) {
      this.csrf = r.body.csrf;
      this.user = r.body.user;
    }
    return r;
  }
  async req(method, path, body, headers = {}) {
    const h = { ...headers };
    if (this.cookie) h.Cookie = this.cookie;
    if (this.token) h.Authorization = `Bearer ${this.token}`;
    if (this.csrf && method !== 'GET' && !('X-CSRF-Token' in h)) h['X-CSRF-Token'] = this.csrf;
    if (this.lang) h['Accept-Language'] = this.lang;
    let payload;
    if (body !== undefined) {
      if (typeof body === 'string' || body instanceof Uint8Array || Buffer.isBuffer(body)) payload = body;
      else payload = JSON.stringify(body);
      if (!('Content-Type' in h)) h['Content-Type'] = 'application/json';
    }
    const r = await fetch(this.url + path, { method, headers: h, body: payload });
    const setCookie = r.headers.get('set-cookie');
    if (setCookie) this.cookie = setCookie.split(';')[0];
    const text = await r.text();
    let json = null;
    try { json = text ? JSON.parse(text) : null; } catch { json = null; }
    return { status: r.status, headers: r.headers, body: json, text };
  }
  get(p, h) { return this.req('GET', p, undefined, h); }
  post(p, b, h) { return this.req('POST', p, b, h); }
  patch(p, b, h) { return this.req('PATCH', p, b, h); }
  del(p, h) { return this.req('DELETE', p, undefined, h); }
}
