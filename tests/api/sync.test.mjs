// Federation transport (issue 16 item 4, h/sync-net): the routes a peer
// instance calls, against a real server. The peer here is this test: an
// Ed25519 key of node's crypto, registered as a child of the server's
// instance; every request is signed as docs/SYNC.md "Transport" says. Each
// class of bad input is refused with nothing changed.
import assert from 'node:assert/strict';
import { createHash, generateKeyPairSync, sign } from 'node:crypto';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, cli, bin } from '../lib/server.mjs';
import { test, before, after, raw, assertProblem } from './helpers.mjs';

let server;
let self;          // the server's instance id
let key;           // our private key
let me;            // our instance id
const hex = (b) => Buffer.from(b).toString('hex');
const sha = (b) => createHash('sha256').update(b).digest('hex');

before(async () => {
  server = await startServer({ demo: false });
  const kp = generateKeyPairSync('ed25519');
  key = kp.privateKey;
  const pub = hex(Buffer.from(kp.publicKey.export({ format: 'jwk' }).x, 'base64url'));
  me = sha(Buffer.from(pub, 'hex'));
  self = JSON.parse(cli(['peer', 'show', '--db', server.db, '--json'])).instance;
  cli(['peer', 'add', '--db', server.db, '--name', 'xa-test', '--key', pub, '--relation', 'child']);
});
after(async () => { await server?.stop(); });

// A signed POST; `tweak` changes what is signed or sent to forge one.
function signed(path, body, tweak = {}) {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  const at = tweak.time ?? Date.now();
  const msg = `ungcuu-sync-1\nPOST\n${tweak.signedPath ?? path}\n${at}\n${tweak.from ?? me}\n${tweak.to ?? self}\n${sha(tweak.signedBody ?? text)}`;
  const sig = tweak.sig ?? hex(sign(null, Buffer.from(msg), tweak.key ?? key));
  const headers = { 'Content-Type': 'application/json', 'X-Sync-Instance': tweak.instance ?? me, 'X-Sync-Time': String(at), 'X-Sync-Signature': sig, ...(tweak.headers ?? {}) };
  return raw(server.url, 'POST', path, text, headers);
}

test('a registered peer pushes, pulls and acknowledges, signed', async () => {
  let r = await signed('/api/v1/sync/push', { envelopes: [] });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.body, { acked: 0, refused: [] });
  r = await signed('/api/v1/sync/pull', { after: 0, limit: 10 });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.body, { envelopes: [], more: false });
  r = await signed('/api/v1/sync/ack', { seq: 0 });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.body, { acked: 0 });
});

test('the envelopes queued for the peer come in seq order, `more` when the limit cuts them, and an ack is a cursor', async () => {
  cli(['sync', 'ping', '--db', server.db, '--peer', 'xa-test', '--count', '5']);
  assert.equal(JSON.parse(cli(['sync', 'status', '--db', server.db, '--json'])).peers[0].out_waiting, 5);
  let r = await signed('/api/v1/sync/pull', { after: 0, limit: 3 });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.body.envelopes.map((e) => e.seq), [1, 2, 3]);
  assert.equal(r.body.more, true);
  for (const e of r.body.envelopes) {
    assert.equal(e.kind, 'ping');
    assert.equal(e.dest, me);
    assert.equal(e.origin, self);
  }
  r = await signed('/api/v1/sync/pull', { after: 3 });
  assert.deepEqual(r.body.envelopes.map((e) => e.seq), [4, 5]);
  assert.equal(r.body.more, false);
  assert.equal((await signed('/api/v1/sync/ack', { seq: 3 })).status, 200);
  assert.equal(JSON.parse(cli(['sync', 'status', '--db', server.db, '--json'])).peers[0].out_waiting, 2,
    'acknowledged up to 3: two wait');
  await signed('/api/v1/sync/ack', { seq: 5 });
  assert.equal(JSON.parse(cli(['sync', 'status', '--db', server.db, '--json'])).peers[0].out_waiting, 0);
  assertProblem(await signed('/api/v1/sync/ack', { seq: 99 }), 422);   // beyond what was sent
});

test('who is not a registered peer is refused from the headers (401), whatever the body', async () => {
  const other = generateKeyPairSync('ed25519');
  const otherPub = hex(Buffer.from(other.publicKey.export({ format: 'jwk' }).x, 'base64url'));
  for (const tweak of [
    { instance: sha(otherPub), from: sha(otherPub), key: other.privateKey },   // unregistered
    { instance: 'AB'.repeat(32) },                                               // not lower-case hex
    { instance: 'ab'.repeat(31) },                                               // too short
    { headers: { 'X-Sync-Instance': '' } },
  ]) {
    const r = await signed('/api/v1/sync/push', { envelopes: [] }, tweak);
    assertProblem(r, 401);
  }
  const r = await raw(server.url, 'POST', '/api/v1/sync/push', '{"envelopes":[]}', {});
  assertProblem(r, 401);
});

test('a forged, replayed-late or misdirected request is refused (401) and changes nothing', async () => {
  cli(['sync', 'ping', '--db', server.db, '--peer', 'xa-test', '--count', '1']);
  const waiting = () => JSON.parse(cli(['sync', 'status', '--db', server.db, '--json'])).peers[0].out_waiting;
  assert.equal(waiting(), 1);
  const other = generateKeyPairSync('ed25519');
  const cases = [
    { key: other.privateKey },                           // signed by another key
    { sig: 'ab'.repeat(64) },                            // garbage signature
    { sig: 'ab' },                                       // short
    { time: Date.now() - 11 * 60_000 },                  // outside the clock window
    { time: Date.now() + 11 * 60_000 },
    { to: 'cd'.repeat(32) },                             // signed for another instance
    { signedPath: '/api/v1/sync/pull' },                 // signed for another route
    { signedBody: '{"seq":0}' },                         // the body changed after signing
    { headers: { 'X-Sync-Time': '12x' } },
  ];
  for (const tweak of cases) {
    const r = await signed('/api/v1/sync/ack', { seq: 6 }, tweak);
    assert.ok([401, 422].includes(r.status), `${JSON.stringify(tweak)}: ${r.status} ${r.text}`);
  }
  assert.equal(waiting(), 1, 'no forged ack took effect');
  await signed('/api/v1/sync/ack', { seq: 6 });
});

test('bad bodies: unknown members, out of range, wrong types, too many, not JSON, bad UTF-8, too large', async () => {
  assertProblem(await signed('/api/v1/sync/pull', { after: 0, since: 1 }), 422, '/since');
  assertProblem(await signed('/api/v1/sync/pull', { after: -1 }), 422, '/after');
  assertProblem(await signed('/api/v1/sync/pull', { after: '0' }), 422, '/after');
  assertProblem(await signed('/api/v1/sync/pull', { after: 0, limit: 501 }), 422, '/limit');
  assertProblem(await signed('/api/v1/sync/pull', { after: 0, limit: 0 }), 422, '/limit');
  assertProblem(await signed('/api/v1/sync/ack', { seq: 1.5 }), 422, '/seq');
  assertProblem(await signed('/api/v1/sync/ack', {}), 422, '/seq');
  assertProblem(await signed('/api/v1/sync/push', { envelopes: {} }), 422, '/envelopes');
  assertProblem(await signed('/api/v1/sync/push', { envelopes: Array(501).fill({}) }), 422, '/envelopes');
  assertProblem(await signed('/api/v1/sync/push', '[]'), 400);
  assertProblem(await signed('/api/v1/sync/push', '{"envelopes":'), 400);
  const badUtf8 = Buffer.concat([Buffer.from('{"envelopes":[],"x":"'), Buffer.from([0xc3, 0x28]), Buffer.from('"}')]);
  const at = Date.now();
  const msg = `ungcuu-sync-1\nPOST\n/api/v1/sync/push\n${at}\n${me}\n${self}\n${sha(badUtf8)}`;
  const r = await raw(server.url, 'POST', '/api/v1/sync/push', badUtf8, {
    'Content-Type': 'application/json', 'X-Sync-Instance': me, 'X-Sync-Time': String(at), 'X-Sync-Signature': hex(sign(null, Buffer.from(msg), key)) });
  assertProblem(r, 400);
  assertProblem(await signed('/api/v1/sync/push', { envelopes: [] }, { headers: { 'Content-Type': 'text/plain' } }), 415);
  const big = JSON.stringify({ envelopes: [{ pad: 'x'.repeat(4 * 1024 * 1024) }] });
  assertProblem(await signed('/api/v1/sync/push', big), 413);
});

test('a pushed envelope that is not the peer\'s (bad signature) is refused by the inbox and not applied', async () => {
  const env = { id: '01930000-0000-7000-8000-0000000000aa', origin: me, dest: self, seq: 1, kind: 'ping', created: new Date().toISOString(), payload: { n: 1 }, sig: 'ab'.repeat(64) };
  const r = await signed('/api/v1/sync/push', { envelopes: [env] });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.acked, 0);
  assert.equal(r.body.refused.length, 1);
  const st = JSON.parse(cli(['sync', 'status', '--db', server.db, '--json'])).peers[0];
  assert.equal(st.in_applied, 0);
  assert.equal(st.refused, 1);
});

// `ungcuu sync run` end to end over HTTPS: a child instance (a database
// here) and its parent (a server with a certificate made here). The round
// refuses a certificate it does not trust, and with --ca-file pushes,
// pulls and acknowledges; sync status says so on both sides.
test('sync run over HTTPS: untrusted certificate refused, trusted one carries both ways', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ungcuu-sync-tls-'));
  const f = (n) => join(dir, n);
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes',
    '-keyout', f('key.pem'), '-out', f('cert.pem'), '-days', '2', '-subj', '/CN=127.0.0.1',
    '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
  process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';   // node's own health check only; curl verifies
  const parent = await startServer({ demo: false, args: ['--tls-cert', f('cert.pem'), '--tls-key', f('key.pem'), '--no-sync'] });
  try {
    const child = f('child.db');
    cli(['init', '--db', child, '--json']);
    const keyOf = (db) => JSON.parse(cli(['peer', 'show', '--db', db, '--json'])).public_key;
    cli(['peer', 'add', '--db', child, '--name', 'tinh', '--key', keyOf(parent.db), '--relation', 'parent', '--url', parent.url]);
    cli(['peer', 'add', '--db', parent.db, '--name', 'huyen', '--key', keyOf(child), '--relation', 'child']);
    cli(['sync', 'ping', '--db', child, '--peer', 'tinh', '--count', '20']);
    cli(['sync', 'ping', '--db', parent.db, '--peer', 'huyen', '--count', '7']);
    const status = (db, name) => JSON.parse(cli(['sync', 'status', '--db', db, '--json'])).peers.find((p) => p.name === name);
    const untrusted = spawnSync(bin, ['sync', 'run', '--db', child, '--retries', '0', '--json'], { encoding: 'utf8' });
    assert.equal(untrusted.status, 1);
    assert.match(JSON.parse(untrusted.stdout)[0].error, /certificate/i);
    assert.equal(status(child, 'tinh').out_acked, 0);
    assert.match(status(child, 'tinh').last_error, /certificate/i);
    const run = JSON.parse(cli(['sync', 'run', '--db', child, '--ca-file', f('cert.pem'), '--json']));
    assert.deepEqual([run[0].ok, run[0].pushed, run[0].pulled, run[0].refused], [true, 20, 7, 0]);
    assert.equal(status(child, 'tinh').out_acked, 20);
    assert.equal(status(child, 'tinh').in_applied, 7);
    assert.equal(status(parent.db, 'huyen').pings, 20);
    assert.equal(status(parent.db, 'huyen').out_acked, 7);
    // a second round has nothing to carry and applies nothing twice
    const again = JSON.parse(cli(['sync', 'run', '--db', child, '--ca-file', f('cert.pem'), '--json']));
    assert.deepEqual([again[0].pushed, again[0].pulled], [0, 0]);
    assert.equal(status(parent.db, 'huyen').pings, 20);
    assert.equal(status(child, 'tinh').pings, 7);
  } finally {
    await parent.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
