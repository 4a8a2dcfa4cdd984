// `ungcuu serve --tls-cert --tls-key`: HTTPS with a certificate made here
// (openssl), Secure cookies and HSTS when on, a new certificate taken on
// SIGHUP without stopping the service, clear errors for a missing or bad
// certificate or key. Loopback only; every wait is a bounded loop.
import assert from 'node:assert/strict';
import tls from 'node:tls';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, copyFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, freePort } from '../lib/server.mjs';
import { test, before, after, run } from './helpers.mjs';

// The test trusts the certificate it made (self-signed).
process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';

const dir = mkdtempSync(join(tmpdir(), 'ungcuu-tls-'));
const pem = (name) => join(dir, name);
let server;

function makeCert(cn) {
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes',
    '-keyout', pem(`${cn}.key`), '-out', pem(`${cn}.crt`), '-days', '2', '-subj', `/CN=${cn}`,
    '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
}

// The CN of the certificate a new connection is served.
function servedCN(url) {
  const { port } = new URL(url);
  return new Promise((resolve, reject) => {
    const s = tls.connect({ host: '127.0.0.1', port: Number(port), rejectUnauthorized: false }, () => {
      const cn = s.getPeerCertificate().subject?.CN;
      s.end();
      resolve(cn);
    });
    s.on('error', reject);
  });
}

async function login(url, username, password) {
  return fetch(`${url}/api/v1/session`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ username, password }),
  });
}

before(async () => {
  makeCert('ungcuu-one');
  makeCert('ungcuu-two');
  makeCert('ungcuu-three');
  copyFileSync(pem('ungcuu-one.crt'), pem('cert.pem'));
  copyFileSync(pem('ungcuu-one.key'), pem('key.pem'));
  server = await startServer({ args: ['--tls-cert', pem('cert.pem'), '--tls-key', pem('key.pem')] });
});
after(async () => {
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

test('over TLS: HTTPS answers with HSTS, and the session cookie is Secure', async () => {
  assert.match(server.url, /^https:/);
  assert.equal(await servedCN(server.url), 'ungcuu-one');
  const h = await fetch(`${server.url}/api/v1/health`);
  assert.equal(h.status, 200);
  assert.match(h.headers.get('strict-transport-security') ?? '', /^max-age=\d{7,}/);
  const l = server.login('dieuphoi');
  const r = await login(server.url, l.username, l.password);
  assert.equal(r.status, 200);
  const cookie = r.headers.get('set-cookie') ?? '';
  assert.match(cookie, /; Secure(;|$)/);
  assert.match(cookie, /HttpOnly/);
  assert.match(cookie, /SameSite=Strict/);
  // an error answer carries HSTS too
  const e = await fetch(`${server.url}/api/v1/incidents`);
  assert.equal(e.status, 401);
  assert.ok(e.headers.get('strict-transport-security'));
});

test('plain HTTP: no HSTS and no Secure; behind a TLS proxy (cookie_secure) the cookie is Secure', async () => {
  const cfg = pem('proxy.ini');
  writeFileSync(cfg, '[server]\ncookie_secure = true\n');
  const plain = await startServer();
  const proxied = await startServer({ args: ['--config', cfg] });
  try {
    for (const [s, secure] of [[plain, false], [proxied, true]]) {
      const l = s.login('dieuphoi');
      const r = await login(s.url, l.username, l.password);
      assert.equal(r.status, 200);
      assert.equal(r.headers.get('strict-transport-security'), null);
      assert.equal(/; Secure(;|$)/.test(r.headers.get('set-cookie') ?? ''), secure, r.headers.get('set-cookie'));
    }
  } finally {
    await plain.stop();
    await proxied.stop();
  }
});

test('SIGHUP takes the new certificate and key; the service answers throughout', async () => {
  assert.equal(await servedCN(server.url), 'ungcuu-one');
  const l = server.login('dieuphoi');
  const before = await login(server.url, l.username, l.password);
  const cookie = before.headers.get('set-cookie').split(';')[0];
  copyFileSync(pem('ungcuu-two.crt'), pem('cert.pem'));
  copyFileSync(pem('ungcuu-two.key'), pem('key.pem'));
  server.signal('SIGHUP');
  let cn = null;
  const statuses = [];
  for (let i = 0; i < 100 && cn !== 'ungcuu-two'; i++) {
    const r = await fetch(`${server.url}/api/v1/session`, { headers: { Cookie: cookie } });
    statuses.push(r.status);
    cn = await servedCN(server.url);
    if (cn !== 'ungcuu-two') await new Promise((ok) => setTimeout(ok, 100));
  }
  assert.equal(cn, 'ungcuu-two');
  assert.ok(statuses.every((s) => s === 200), `answers during the reload: ${statuses}`);
  assert.equal((await fetch(`${server.url}/api/v1/session`, { headers: { Cookie: cookie } })).status, 200);
});

test('SIGHUP with a broken certificate or a key of another certificate keeps the running one', async () => {
  const was = await servedCN(server.url);
  writeFileSync(pem('cert.pem'), '-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydA==\n-----END CERTIFICATE-----\n');
  server.signal('SIGHUP');
  for (let i = 0; i < 100 && !/kept the running certificate/.test(server.stderr() ?? ''); i++) {
    await new Promise((ok) => setTimeout(ok, 100));
  }
  assert.match(server.stderr(), /kept the running certificate/);
  assert.equal(await servedCN(server.url), was);
  assert.equal((await fetch(`${server.url}/api/v1/health`)).status, 200);
  // mismatched pair
  copyFileSync(pem('ungcuu-three.crt'), pem('cert.pem'));
  copyFileSync(pem('ungcuu-one.key'), pem('key.pem'));
  const n = (server.stderr().match(/kept the running certificate/g) ?? []).length;
  server.signal('SIGHUP');
  for (let i = 0; i < 100 && (server.stderr().match(/kept the running certificate/g) ?? []).length === n; i++) {
    await new Promise((ok) => setTimeout(ok, 100));
  }
  assert.equal((server.stderr().match(/kept the running certificate/g) ?? []).length, n + 1);
  assert.equal(await servedCN(server.url), was);
  assert.equal((await fetch(`${server.url}/api/v1/health`)).status, 200);
});

test('serve refuses to start with a missing, broken or mismatched certificate or key, and says which', async () => {
  const port = await freePort();
  const serve = (...args) => run(['serve', '--db', server.db, '--listen', `127.0.0.1:${port}`, ...args],
    { env: { UNGCUU_LANG: 'en' } });
  const missing = serve('--tls-cert', pem('nothing.pem'), '--tls-key', pem('ungcuu-one.key'));
  assert.notEqual(missing.status, 0);
  assert.match(missing.stderr, /nothing\.pem/);
  const onlyCert = serve('--tls-cert', pem('ungcuu-one.crt'));
  assert.notEqual(onlyCert.status, 0);
  assert.match(onlyCert.stderr, /--tls-key/);
  const notPem = serve('--tls-cert', pem('ungcuu-one.key'), '--tls-key', pem('ungcuu-one.key'));
  assert.notEqual(notPem.status, 0);
  assert.match(notPem.stderr, /ungcuu-one\.key/);
  const mismatch = serve('--tls-cert', pem('ungcuu-three.crt'), '--tls-key', pem('ungcuu-one.key'));
  assert.notEqual(mismatch.status, 0);
  assert.match(mismatch.stderr, /ungcuu-three\.crt/);
});
