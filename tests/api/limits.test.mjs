// The HTTP server's limits (issue 11, items 5, 7, 12): what is refused from
// the headers before any body is kept, header and query values checked
// before anything is written, Content-Type parsed as a media type, the
// login gate, and one client's idle connections and login flood that do
// not starve another. Loopback only; every loop is bounded.
import assert from 'node:assert/strict';
import net from 'node:net';
import http from 'node:http';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startServer, root } from '../lib/server.mjs';
import {
  test, before, after, bearer, report, file, getIncident, assertProblem,
} from './helpers.mjs';

let server, port, coord, lead, tam;

before(async () => {
  server = await startServer();
  port = Number(new URL(server.url).port);
  coord = bearer(server, 'dieuphoi', { lang: 'en' });
  lead = bearer(server, 'lanhdao', { lang: 'en' });
  tam = bearer(server, 'tamthanh', { lang: 'en' });
});
after(async () => { await server?.stop(); });

// Sends raw bytes on a fresh connection and reads the answer: resolves with
// { lines: [status of each response seen], status, head, body, closed,
// bounded } once a final (non-1xx) response is complete, the server
// closes, or `bound` ms pass (bounded: true; never an assertion on time).
export function rawHttp(p, bytes, { localAddress, bound = 20_000 } = {}) {
  return new Promise((resolve) => {
    const s = net.connect({ port: p, host: '127.0.0.1', localAddress });
    let buf = Buffer.alloc(0);
    const lines = [];
    let done = false;
    const finish = (extra) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      s.destroy();
      resolve({ lines, ...extra });
    };
    const timer = setTimeout(() => finish({ bounded: true }), bound);
    const parse = () => {
      for (;;) {
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) return;
        const head = buf.subarray(0, end).toString('latin1');
        const status = Number(head.split(' ')[1]);
        lines.push(status);
        const m = /\r\ncontent-length:\s*(\d+)/i.exec(head);
        const len = m ? Number(m[1]) : 0;
        if (status >= 100 && status < 200) { buf = buf.subarray(end + 4); continue; }
        if (buf.length < end + 4 + len) return;
        const body = buf.subarray(end + 4, end + 4 + len).toString('utf8');
        let json = null;
        try { json = JSON.parse(body); } catch { json = null; }
        finish({ status, head, text: body, body: json });
        return;
      }
    };
    s.on('data', (d) => { buf = Buffer.concat([buf, d]); parse(); });
    s.on('error', () => finish({ closed: true, error: true }));
    s.on('close', () => finish({ closed: true }));
    s.on('connect', () => s.write(bytes));
  });
}

// A request head (and optional body) as bytes; header values may be Buffers.
function request(method, path, headers, body) {
  const parts = [Buffer.from(`${method} ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n`, 'latin1')];
  for (const [k, v] of Object.entries(headers)) {
    parts.push(Buffer.from(`${k}: `, 'latin1'), Buffer.isBuffer(v) ? v : Buffer.from(String(v), 'latin1'), Buffer.from('\r\n'));
  }
  parts.push(Buffer.from('\r\n'));
  if (body) parts.push(Buffer.isBuffer(body) ? body : Buffer.from(body));
  return Buffer.concat(parts);
}

// As rawHttp's answer, checked as an RFC 9457 problem.
function problem(r, status, pointer) {
  assert.ok(!r.bounded, `no answer within the bound (statuses seen: ${r.lines})`);
  const headers = new Headers();
  for (const line of (r.head ?? '').split('\r\n').slice(1)) {
    const i = line.indexOf(':');
    if (i > 0) headers.append(line.slice(0, i).trim(), line.slice(i + 1).trim());
  }
  return assertProblem({ status: r.status, headers, body: r.body, text: r.text }, status, pointer);
}

const nmap = () => readFileSync(join(root, 'tests/data/scans/nmap_script_vulners.xml'));
const count = async (client, path) => {
  const r = await client.get(path);
  assert.equal(r.status, 200, r.text);
  return r.body.items.length;
};

// ---- item 5: refused from the headers, before any body is kept ----

test('a read-only user announcing a 64 MiB import is refused 403 before sending any of it (Expect: 100-continue)', async () => {
  const r = await rawHttp(port, request('POST', '/api/v1/imports/nmap?org=pq-tamthanh', {
    Authorization: `Bearer ${lead.token}`, 'Content-Type': 'application/xml',
    'Content-Length': 64 * 1024 * 1024, Expect: '100-continue', 'Accept-Language': 'en',
  }));
  // never "100 Continue": the body is not even asked for
  assert.ok(!r.lines.includes(100), `statuses ${r.lines}`);
  problem(r, 403);
});

test('the same without Expect, declared beyond what the server drops: 403 before the body', async () => {
  const r = await rawHttp(port, request('POST', '/api/v1/indicators/import/csv', {
    Authorization: `Bearer ${lead.token}`, 'Content-Type': 'text/csv',
    'Content-Length': 64 * 1024 * 1024 + 1,
  }));
  problem(r, 403);
});

test('no credentials and a large body announced: 401 before the body', async () => {
  const r = await rawHttp(port, request('POST', '/api/v1/imports/nmap', {
    'Content-Type': 'application/xml', 'Content-Length': 50 * 1024 * 1024, Expect: '100-continue',
  }));
  assert.ok(!r.lines.includes(100), `statuses ${r.lines}`);
  problem(r, 401);
});

test('a body declared over the route limit: 413 before the body, even with the right role', async () => {
  const r = await rawHttp(port, request('POST', '/api/v1/incidents', {
    Authorization: `Bearer ${coord.token}`, 'Content-Type': 'application/json',
    'Content-Length': 2 * 1024 * 1024, Expect: '100-continue',
  }));
  assert.ok(!r.lines.includes(100), `statuses ${r.lines}`);
  problem(r, 413);
});

test('a role-less attachment upload: 403 before a large body; a small one keeps 404 out of scope / 403 in scope', async () => {
  const i = await file(coord, { org_code: 'pq-tamthanh' });
  const big = await rawHttp(port, request('POST', `/api/v1/incidents/${i.id}/attachments`, {
    Authorization: `Bearer ${lead.token}`, 'Content-Type': 'application/pdf', 'X-Filename': 'a.pdf',
    'Content-Length': 10 * 1024 * 1024, Expect: '100-continue',
  }));
  assert.ok(!big.lines.includes(100), `statuses ${big.lines}`);
  problem(big, 403);
  assertProblem(await lead.post(`/api/v1/incidents/${i.id}/attachments`, Buffer.from('small'), { 'X-Filename': 'a.txt', 'Content-Type': 'text/plain' }), 403);
  assert.equal((await getIncident(coord, i.id)).attachments.length, 0);
});

test('a refused body sent anyway is dropped, never kept, and the client reads its 403', async () => {
  const body = Buffer.alloc(100 * 1024, 0x41);
  const first = request('POST', '/api/v1/imports/nmap', {
    Authorization: `Bearer ${lead.token}`, 'Content-Type': 'application/xml', 'Content-Length': body.length,
  }, body);
  const r = await rawHttp(port, first);
  problem(r, 403);
});

// ---- item 7: every header and query value checked before anything is written ----

test('invalid UTF-8 in X-Filename: 400 naming it, nothing stored', async () => {
  const i = await file(coord, { org_code: 'pq-tamthanh' });
  const r = await rawHttp(port, request('POST', `/api/v1/incidents/${i.id}/attachments`, {
    Authorization: `Bearer ${coord.token}`, 'Content-Type': 'text/plain',
    'X-Filename': Buffer.from([0x62, 0xC3, 0x28, 0x2E, 0x74, 0x78, 0x74]), 'Content-Length': 5, 'Accept-Language': 'en',
  }, 'hello'));
  problem(r, 400, '/X-Filename');
  assert.equal((await getIncident(coord, i.id)).attachments.length, 0);
});

test('invalid UTF-8 in Content-Type: 400 naming it, nothing stored', async () => {
  const i = await file(coord, { org_code: 'pq-tamthanh' });
  const r = await rawHttp(port, request('POST', `/api/v1/incidents/${i.id}/attachments`, {
    Authorization: `Bearer ${coord.token}`, 'Content-Type': Buffer.from([0x74, 0x65, 0x78, 0x74, 0x2F, 0xFF]),
    'X-Filename': 'a.txt', 'Content-Length': 5,
  }, 'hello'));
  problem(r, 400, '/Content-Type');
  assert.equal((await getIncident(coord, i.id)).attachments.length, 0);
});

test('percent-encoded X-Filename: a NUL or invalid UTF-8 once decoded is refused, never cut short', async () => {
  const i = await file(coord, { org_code: 'pq-tamthanh' });
  for (const name of ['a%00b.txt', 'b%C3%28.txt', 'c%FF.txt', 'd%09.txt', 'e%ED%A0%80.txt']) {
    const r = await coord.post(`/api/v1/incidents/${i.id}/attachments`, Buffer.from('x'), { 'X-Filename': name, 'Content-Type': 'text/plain' });
    assertProblem(r, 422, '/X-Filename');
  }
  assert.equal((await getIncident(coord, i.id)).attachments.length, 0);
  const ok = await coord.post(`/api/v1/incidents/${i.id}/attachments`, Buffer.from('x'), { 'X-Filename': encodeURIComponent('Nhật ký.txt'), 'Content-Type': 'text/plain' });
  assert.equal(ok.status, 201, ok.text);
  assert.equal(ok.body.name, 'Nhật ký.txt');
});

test('an attachment Content-Type is parsed as a media type: kept lower-cased without parameters; a malformed one is 400', async () => {
  const i = await file(coord, { org_code: 'pq-tamthanh' });
  const ok = await coord.post(`/api/v1/incidents/${i.id}/attachments`, Buffer.from('x'), { 'X-Filename': 'a.txt', 'Content-Type': 'Text/Plain; charset=windows-1258' });
  assert.equal(ok.status, 201, ok.text);
  assert.equal(ok.body.content_type, 'text/plain');
  for (const ct of ['text', 'text/', '/plain', 'text/plain; charset', 'text/plain x', 'te xt/plain']) {
    assertProblem(await coord.post(`/api/v1/incidents/${i.id}/attachments`, Buffer.from('x'), { 'X-Filename': 'b.txt', 'Content-Type': ct }), 400, '/Content-Type');
  }
  assert.equal((await getIncident(coord, i.id)).attachments.length, 1);
});

test('invalid UTF-8 or a NUL in a query value: 400 naming it, no scan and no host saved', async () => {
  const hosts = await count(tam, '/api/v1/hosts');
  for (const name of ['%C3%28', 'scan%00.xml', '%FF%FE', 'a%0Ab']) {
    const r = await tam.post(`/api/v1/imports/nmap?org=pq-tamthanh&name=${name}`, nmap(), { 'Content-Type': 'application/xml' });
    assertProblem(r, 400, '/name');
  }
  assertProblem(await tam.post('/api/v1/imports/nmap?org=pq-tam%FFthanh', nmap(), { 'Content-Type': 'application/xml' }), 400, '/org');
  assert.equal(await count(tam, '/api/v1/hosts'), hosts);
  assertProblem(await coord.get('/api/v1/incidents?q=%C3%28'), 400, '/q');
  assertProblem(await coord.get('/api/v1/indicators?tag=a%00b'), 400, '/tag');
});

test('a query value or header value past its bound is refused 400 before anything runs', async () => {
  assertProblem(await coord.get(`/api/v1/incidents?q=${'a'.repeat(2049)}`), 400, '/q');
  // 2,048 bytes pass the check; the search itself bounds q (422)
  assert.notEqual((await coord.get(`/api/v1/incidents?q=${'a'.repeat(2048)}`)).status, 400);
  assert.equal((await coord.get(`/api/v1/incidents?q=${'a'.repeat(100)}`)).status, 200);
  const long = Buffer.from('x'.repeat(8 * 1024 + 1));
  problem(await rawHttp(port, request('GET', '/api/v1/incidents', { Authorization: `Bearer ${coord.token}`, 'X-Note': long })), 400, '/X-Note');
});

test('invalid UTF-8 in the Authorization header: 400, not a server error', async () => {
  const r = await rawHttp(port, request('GET', '/api/v1/incidents', {
    Authorization: Buffer.concat([Buffer.from('Bearer '), Buffer.from([0xC0, 0xAF])]),
  }));
  problem(r, 400, '/Authorization');
});

// ---- item 12: Content-Type is a media type, compared exactly ----

test('Content-Type: case-insensitive media type with parameters accepted; prefixes and other charsets refused 415', async () => {
  for (const ct of ['APPLICATION/JSON', 'Application/Json; charset=UTF-8', 'application/json ; charset="utf-8"', 'application/json;charset=utf-8']) {
    const r = await coord.post('/api/v1/incidents', report(), { 'Content-Type': ct });
    assert.equal(r.status, 201, `${ct}: ${r.text}`);
  }
  const n = (await coord.get('/api/v1/incidents?limit=200')).body.items.length;
  for (const ct of ['application/jsonx', 'application/json-patch+json', 'application/json/x', 'application/problem+jsonx',
    'application/json; charset=iso-8859-1', 'text/json', 'application', 'application/json, text/plain']) {
    assertProblem(await coord.post('/api/v1/incidents', report(), { 'Content-Type': ct }), 415);
  }
  assert.equal((await coord.get('/api/v1/incidents?limit=200')).body.items.length, n);
});

test('Content-Type is checked the same on the login', async () => {
  const l = server.login('dieuphoi');
  const post = (ct) => fetch(`${server.url}/api/v1/session`, { method: 'POST', headers: { 'Content-Type': ct }, body: JSON.stringify({ username: l.username, password: l.password }) });
  assert.equal((await post('APPLICATION/JSON')).status, 200);
  assert.equal((await post('application/jsonp')).status, 415);
});

// ---- item 5: the login gate ----

// A login from a given loopback address (node:http: fetch cannot choose it).
function loginFrom(localAddress, username, password, p = gate.port) {
  const body = JSON.stringify({ username, password });
  return new Promise((resolve, reject) => {
    const rq = http.request({
      host: '127.0.0.1', port: p, path: '/api/v1/session', method: 'POST', localAddress, agent: false,
      headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body), 'Accept-Language': 'en' },
    }, (res) => {
      let text = '';
      res.on('data', (d) => { text += d; });
      res.on('end', () => resolve({ status: res.statusCode, retryAfter: res.headers['retry-after'], text }));
    });
    rq.on('error', (e) => (e.code === 'ECONNRESET' ? resolve({ status: 'reset' }) : reject(e)));
    rq.end(body);
  });
}

const gate = {};

test('login gate: past the burst an address gets 429 with Retry-After, the same for real and unknown users', async () => {
  const s = await startServer({ args: ['--login-burst', '3', '--login-rate', '1'] });
  gate.port = Number(new URL(s.url).port);
  try {
    const l = s.login('dieuphoi');
    const a = '127.0.0.11';
    for (let k = 0; k < 3; k++) assert.equal((await loginFrom(a, `nobody${k}`, 'wrong-password')).status, 401);
    const refused = [await loginFrom(a, 'nobody9', 'x'), await loginFrom(a, l.username, l.password), await loginFrom(a, 'lanhdao', 'x')];
    for (const r of refused) {
      assert.equal(r.status, 429, r.text);
      assert.ok(Number(r.retryAfter) >= 1, `Retry-After ${r.retryAfter}`);
      assert.equal(JSON.parse(r.text).detail, JSON.parse(refused[0].text).detail);
    }
    // another address is not held back by this one
    assert.equal((await loginFrom('127.0.0.12', l.username, l.password)).status, 200);
    // a username tried from many addresses runs out too (3 a burst), whoever asks
    for (let k = 0; k < 3; k++) assert.equal((await loginFrom(`127.0.0.${20 + k}`, 'ghost', 'x')).status, 401);
    const u = await loginFrom('127.0.0.30', 'ghost', 'x');
    assert.equal(u.status, 429, u.text);
    assert.equal((await loginFrom('127.0.0.30', 'ghost2', 'x')).status, 401);
  } finally {
    await s.stop();
  }
});

test('login gate: a refused attempt never reaches the password check (no failure counted, no lock-out)', async () => {
  const s = await startServer({ args: ['--login-burst', '2', '--login-rate', '1'] });
  gate.port = Number(new URL(s.url).port);
  try {
    const l = s.login('tamthanh');
    // Two wrong tries spend the burst; twenty more are refused at the gate.
    // Were they checked, the account would be locked (5 failures) and the
    // right password refused from another address.
    assert.equal((await loginFrom('127.0.0.41', l.username, 'wrong-1')).status, 401);
    assert.equal((await loginFrom('127.0.0.41', 'someone', 'wrong-2')).status, 401);
    for (let k = 0; k < 20; k++) assert.equal((await loginFrom('127.0.0.41', l.username, `wrong-${k}`)).status, 429);
    assert.equal((await loginFrom('127.0.0.42', l.username, l.password)).status, 200);
  } finally {
    await s.stop();
  }
});

test('login gate behind a trusted proxy: the last X-Forwarded-For hop is the address; from anyone else the header is ignored', async () => {
  const cfg = join(server.dir, 'proxy.ini');
  writeFileSync(cfg, '[server]\ntrusted_proxy = 127.0.0.51\n');
  const s = await startServer({ args: ['--login-burst', '2', '--login-rate', '1', '--config', cfg] });
  const p = Number(new URL(s.url).port);
  const via = (localAddress, xff) => new Promise((resolve, reject) => {
    const body = JSON.stringify({ username: `u${Math.random()}`, password: 'x' });
    const rq = http.request({
      host: '127.0.0.1', port: p, path: '/api/v1/session', method: 'POST', localAddress, agent: false,
      headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body), 'X-Forwarded-For': xff },
    }, (res) => { res.resume(); res.on('end', () => resolve(res.statusCode)); });
    rq.on('error', reject);
    rq.end(body);
  });
  try {
    // through the proxy: each client has its own bucket
    assert.deepEqual([await via('127.0.0.51', '10.0.0.1'), await via('127.0.0.51', '10.0.0.1'), await via('127.0.0.51', '10.0.0.1')], [401, 401, 429]);
    assert.equal(await via('127.0.0.51', '10.0.0.9, 10.0.0.2'), 401);
    // not the proxy: X-Forwarded-For is not believed, the peer's bucket counts
    assert.deepEqual([await via('127.0.0.52', '10.0.0.3'), await via('127.0.0.52', '10.0.0.4'), await via('127.0.0.52', '10.0.0.5')], [401, 401, 429]);
  } finally {
    await s.stop();
  }
});

// ---- item 5: one client's idle connections and login flood ----

// GET with a Bearer token from a chosen loopback address.
function getFrom(localAddress, p, path, token) {
  return new Promise((resolve) => {
    const rq = http.request({
      host: '127.0.0.1', port: p, path, localAddress, agent: false,
      headers: { Authorization: `Bearer ${token}` },
    }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode));
    });
    rq.on('error', (e) => resolve(e.code ?? 'error'));
    rq.setTimeout(10_000, () => { rq.destroy(); resolve('timeout'); });
    rq.end();
  });
}

test('1,500 idle connections and a login flood from one address do not starve another client', { timeout: 120_000 }, async () => {
  // The product's own limits (the other tests' server has a wide login gate).
  const s = await startServer({ args: ['--login-burst', '20', '--max-conns-per-ip', '128'] });
  const p = Number(new URL(s.url).port);
  const token = bearer(s, 'dieuphoi').token;
  const idle = [];
  try {
    // 1,500 connections from 127.0.0.3 that send half a request and wait.
    for (let k = 0; k < 1500; k++) {
      const c = net.connect({ port: p, host: '127.0.0.1', localAddress: '127.0.0.3' });
      c.on('error', () => {});
      c.on('connect', () => c.write('GET /api/v1/health HTTP/1.1\r\nHost: x\r\n'));
      idle.push(c);
    }
    await Promise.all(idle.map((c) => new Promise((ok) => {
      if (c.readyState === 'open' || c.destroyed) ok();
      else { c.once('connect', ok); c.once('close', ok); }
    })));
    // 32 clients of 127.0.0.4 sending logins for unknown users, 10 each.
    const t0 = Date.now();
    const flood = Promise.all(Array.from({ length: 32 }, async (_, c) => {
      const codes = [];
      for (let k = 0; k < 10; k++) {
        const r = await loginFrom('127.0.0.4', `flood-${c}-${k}`, 'x'.repeat(20), p).then((x) => x.status, () => 'error');
        codes.push(r);
      }
      return codes;
    }));
    // Another client (127.0.0.2) reads meanwhile: every read answered.
    const codes = [];
    for (let k = 0; k < 50; k++) codes.push(await getFrom('127.0.0.2', p, '/api/v1/incidents?limit=5', token));
    const floods = (await flood).flat();
    const seconds = (Date.now() - t0) / 1000;
    assert.deepEqual(codes, Array(50).fill(200));
    // The flood got its burst (20) and 30 a minute, no more password checks;
    // the rest was refused at the gate.
    const checked = floods.filter((c) => c === 401).length;
    assert.ok(checked <= 20 + Math.ceil(seconds / 2) + 1, `${checked} checks in ${seconds} s`);
    assert.equal(floods.filter((c) => c === 429).length, floods.length - checked, `${floods}`);
    // and the first idle ones are still there: the others were refused at accept
    assert.ok(idle.filter((c) => !c.destroyed).length <= 1500);
  } finally {
    for (const c of idle) c.destroy();
    await s.stop();
  }
});
