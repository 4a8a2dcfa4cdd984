// Shared helpers of the API tests (tests/api/*.test.mjs). Not a test file:
// node --test only runs *.test.mjs here.
import assert from 'node:assert/strict';
import { test as nodeTest, before as nodeBefore, after as nodeAfter } from 'node:test';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { Client, cli, bin } from '../lib/server.mjs';

export { totpCodes } from '../lib/totp.mjs';

export { Client, cli, bin };

// node:test with a bound on every test and hook, so that a hung server or
// request fails the test instead of stalling the run.
const TEST_TIMEOUT = 30_000;
export function test(name, opts, fn) {
  if (typeof opts === 'function') return nodeTest(name, { timeout: TEST_TIMEOUT }, opts);
  return nodeTest(name, { timeout: TEST_TIMEOUT, ...opts }, fn);
}
export const before = (fn) => nodeBefore(fn, { timeout: TEST_TIMEOUT });
export const after = (fn) => nodeAfter(fn, { timeout: TEST_TIMEOUT });

// A logged-in client (session cookie + CSRF) for a demo login.
export async function loginAs(server, username, opts = {}) {
  const l = server.login(username);
  assert.ok(l, `no demo login ${username}`);
  const c = new Client(server.url, opts);
  const r = await c.login(l.username, l.password);
  assert.equal(r.status, 200, `login ${username}: ${r.text}`);
  return c;
}

// A client with an API token (Bearer) made by `ungcuu admin token create`.
export function tokenFor(server, username) {
  return cli(['admin', 'token', 'create', '--db', server.db, '--username', username]).trim();
}

export function bearer(server, username, opts = {}) {
  const c = new Client(server.url, opts);
  c.token = tokenFor(server, username);
  return c;
}

// Runs the binary and returns { status, stdout, stderr } whatever the exit code.
// opts.env adds to the environment; a key set to undefined is removed.
export function run(args, opts = {}) {
  const env = { ...process.env, ...(opts.env ?? {}) };
  for (const k of Object.keys(env)) if (env[k] === undefined) delete env[k];
  const r = spawnSync(bin, args, { encoding: 'utf8', timeout: 20_000, ...opts, env });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, signal: r.signal };
}

// The CLI in English (by default), which must exit 0: its standard output.
export function runOk(args, env = { UNGCUU_LANG: 'en', LANG: 'C.UTF-8' }) {
  const r = run(args, { env });
  assert.equal(r.status, 0, `${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}
export const runJson = (args) => JSON.parse(runOk([...args, '--json']));

// Everything the instance `from` has for its peer peerName, in one sealed
// bundle written under dir, imported by `to`; the acknowledgement carried
// back. The import's summary and the bundle's path.
let bundles = 0;
export function carryBundle(dir, from, peerName, to) {
  const b = join(dir, `b${++bundles}.bundle`), a = join(dir, `a${bundles}.ack`);
  runOk(['sync', 'export', '--db', from.db, '--peer', peerName, '--out', b]);
  const imp = runJson(['sync', 'import', '--db', to.db, b, '--ack-out', a]);
  runOk(['sync', 'import', '--db', from.db, a]);
  return { imp, bundle: b };
}

export function sha256(buf) {
  return createHash('sha256').update(buf).digest('hex');
}

// An RFC 3339 time `minutes` ago.
export function ago(minutes) {
  return new Date(Date.now() - minutes * 60_000).toISOString();
}

let seq = 0;
// A valid initial report (Mẫu 03); fields override.
export function report(fields = {}) {
  seq += 1;
  return {
    title: `Sự cố thử nghiệm số ${seq} – máy chủ thư bị dò mật khẩu`,
    description: 'Nhật ký cho thấy hàng nghìn lần đăng nhập sai từ địa chỉ lạ.',
    detected_at: ago(30),
    type: 'intrusion',
    ...fields,
  };
}

// Files an incident and returns it (asserting 201).
export async function file(client, fields = {}) {
  const r = await client.post('/api/v1/incidents', report(fields));
  assert.equal(r.status, 201, `create: ${r.text}`);
  return r.body;
}

// Moves an incident (reading its version first unless given) and returns the answer.
export async function move(client, id, body, version) {
  let v = version;
  if (v === undefined) {
    const g = await client.get(`/api/v1/incidents/${id}`);
    assert.equal(g.status, 200, g.text);
    v = g.body.version;
  }
  return client.post(`/api/v1/incidents/${id}/transitions`, body, { 'If-Match': `"${v}"` });
}

// Moves and asserts 200; returns the incident.
export async function moveOk(client, id, body, version) {
  const r = await move(client, id, body, version);
  assert.equal(r.status, 200, `move to ${body.to}: ${r.text}`);
  assert.equal(r.body.status, body.to);
  return r.body;
}

// Reads an incident, asserting 200.
export async function getIncident(client, id) {
  const r = await client.get(`/api/v1/incidents/${id}`);
  assert.equal(r.status, 200, r.text);
  return r.body;
}

// How many incidents this client sees (all pages).
export async function countIncidents(client) {
  let n = 0;
  let cursor = null;
  for (let i = 0; i < 100; i++) {
    const r = await client.get(`/api/v1/incidents?limit=200${cursor ? `&cursor=${cursor}` : ''}`);
    assert.equal(r.status, 200, r.text);
    n += r.body.items.length;
    cursor = r.body.next_cursor;
    if (!cursor) return n;
  }
  throw new Error('too many pages');
}

// Asserts an RFC 9457 problem answer; returns its body.
export function assertProblem(r, status, pointer) {
  assert.equal(r.status, status, `expected ${status}, got ${r.status}: ${r.text}`);
  assert.match(r.headers.get('content-type') ?? '', /^application\/problem\+json/);
  assert.ok(r.body, `problem body is JSON: ${r.text}`);
  assert.equal(r.body.status, status);
  assert.equal(typeof r.body.title, 'string');
  assert.ok(r.body.title.length > 0);
  assert.equal(typeof r.body.detail, 'string');
  assert.ok(r.body.detail.length > 0);
  if (pointer !== undefined) {
    assert.ok(Array.isArray(r.body.errors), `errors[] in ${r.text}`);
    for (const e of r.body.errors) {
      assert.equal(typeof e.pointer, 'string');
      assert.equal(typeof e.detail, 'string');
      assert.ok(e.detail.length > 0);
    }
    const pointers = r.body.errors.map((e) => e.pointer);
    for (const p of [].concat(pointer)) assert.ok(pointers.includes(p), `pointer ${p} in ${JSON.stringify(pointers)}`);
  }
  return r.body;
}

// A raw HTTP request (Buffer or string body) without any client logic.
export async function raw(url, method, path, body, headers = {}) {
  const r = await fetch(url + path, { method, headers, body });
  const text = await r.text();
  let json = null;
  try { json = text ? JSON.parse(text) : null; } catch { json = null; }
  return { status: r.status, headers: r.headers, body: json, text };
}

// The demo organisation of a code, as the admin sees it.
export async function orgByCode(client, code) {
  const r = await client.get('/api/v1/orgs');
  assert.equal(r.status, 200, r.text);
  return r.body.items.find((o) => o.code === code);
}

// The user object of a username (from GET /users by someone who sees them).
export async function userByName(client, username) {
  const r = await client.get('/api/v1/users');
  assert.equal(r.status, 200, r.text);
  return r.body.items.find((u) => u.username === username);
}

let userSeq = 0;
// Creates a person through the API as `admin` (a logged-in admin client);
// returns { username, password, user }.
export async function newUser(admin, fields = {}) {
  userSeq += 1;
  const username = fields.username ?? `thu.${process.pid}.${userSeq}`;
  const password = fields.password ?? `Mat-khau-${userSeq}-dai-du`;
  const r = await admin.post('/api/v1/users', {
    username, password, org_code: fields.org_code ?? 'pq-tamthanh',
    roles: fields.roles ?? ['reporter'], full_name: fields.full_name ?? 'Người thử nghiệm',
  });
  assert.equal(r.status, 201, `create user: ${r.text}`);
  return { username, password, user: r.body };
}

