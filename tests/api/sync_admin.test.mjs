// The federation's administration API (issue 16, h/sync-core) under bad
// input: every class refused with a problem naming the field, nothing
// added; a peer's key checked (hex, an Ed25519 point, not our own); the
// status follows the peers. The authorisation matrix (authz.test.mjs) and
// the document (openapi.test.mjs) cover who may and what is answered.
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { startServer } from '../lib/server.mjs';
import { test, before, after, bearer, raw, assertProblem } from './helpers.mjs';

let server, admin, tok;
const key = () => generateKeyPairSync('ed25519').publicKey.export({ format: 'der', type: 'spki' }).subarray(-32).toString('hex');

before(async () => {
  server = await startServer();
  admin = bearer(server, 'admin', { lang: 'en' });
  tok = admin.token;
});
after(async () => { await server?.stop(); });

function post(body) {
  return raw(server.url, 'POST', '/api/v1/sync/peers', body, {
    Authorization: `Bearer ${tok}`, 'Content-Type': 'application/json', 'Accept-Language': 'en',
  });
}
const count = async () => (await admin.get('/api/v1/sync/peers')).body.items.length;

test('bad peers are refused with the field named, nothing added', async () => {
  const n0 = await count();
  const k = key();
  const self = (await admin.get('/api/v1/sync/self')).body;
  const cases = [
    ['not JSON', '{"name":', 400],
    ['bad UTF-8', Buffer.concat([Buffer.from('{"name":"t'), Buffer.from([0xc3, 0x28]), Buffer.from(`","public_key":"${k}","relation":"parent"}`)]), 400],
    ['wrong type', JSON.stringify({ name: 5, public_key: k, relation: 'parent' }), 422, '/name'],
    ['name too long', JSON.stringify({ name: 'a'.repeat(65), public_key: k, relation: 'parent' }), 422, '/name'],
    ['name with spaces', JSON.stringify({ name: 'tỉnh ninh', public_key: k, relation: 'parent' }), 422, '/name'],
    ['key too short', JSON.stringify({ name: 'x', public_key: k.slice(2), relation: 'parent' }), 422, '/public_key'],
    ['key not hex', JSON.stringify({ name: 'x', public_key: 'g'.repeat(64), relation: 'parent' }), 422, '/public_key'],
    ['our own key', JSON.stringify({ name: 'x', public_key: self.public_key, relation: 'parent' }), 422, '/public_key'],
    ['relation', JSON.stringify({ name: 'x', public_key: k, relation: 'sibling' }), 422, '/relation'],
    ['url scheme', JSON.stringify({ name: 'x', public_key: k, relation: 'parent', url: 'javascript:alert(1)' }), 422, '/url'],
    ['url too long', JSON.stringify({ name: 'x', public_key: k, relation: 'parent', url: `https://${'a'.repeat(600)}` }), 422, '/url'],
    ['orgs not strings', JSON.stringify({ name: 'x', public_key: k, relation: 'parent', orgs: [1] }), 422],
    ['too many orgs', JSON.stringify({ name: 'x', public_key: k, relation: 'parent', orgs: Array.from({ length: 101 }, (_, i) => `o${i}`) }), 422, '/orgs'],
    ['unknown field', JSON.stringify({ name: 'x', public_key: k, relation: 'parent', secret: 1 }), 422, '/secret'],
    ['missing fields', JSON.stringify({}), 422, ['/name', '/public_key', '/relation']],
  ];
  for (const [what, body, status, pointer] of cases) {
    const r = await post(body);
    assert.equal(r.status, status, `${what}: ${r.text}`);
    assertProblem(r, status, pointer);
  }
  // a low-order point: 64 hex digits, but no Ed25519 key
  assertProblem(await post(JSON.stringify({ name: 'x', public_key: '00'.repeat(32), relation: 'parent' })), 422, '/public_key');
  assert.equal(await count(), n0);
});

test('a peer is added once, shows in the status, and goes', async () => {
  const k = key();
  const name = `tinh-${process.pid}`;
  const r = await admin.post('/api/v1/sync/peers', { name, public_key: k.toUpperCase(), relation: 'parent', orgs: ['tinh'], url: 'https://tinh.example/' });
  assert.equal(r.status, 201, r.text);
  assert.match(r.body.fingerprint, /^([0-9a-f]{4} ){7}[0-9a-f]{4}$/);
  assertProblem(await admin.post('/api/v1/sync/peers', { name, public_key: key(), relation: 'child' }), 409);
  assertProblem(await admin.post('/api/v1/sync/peers', { name: `${name}-2`, public_key: k, relation: 'child' }), 409);
  const p = (await admin.get('/api/v1/sync/peers')).body.items.find((x) => x.name === name);
  assert.equal(p.public_key, k, 'the key kept in lowercase');
  const s = (await admin.get('/api/v1/sync/status')).body.peers.find((x) => x.name === name);
  assert.deepEqual([s.out_waiting, s.in_applied, s.refused, s.last_contact_at], [0, 0, 0, null]);
  assertProblem(await admin.get('/api/v1/sync/refusals?limit=0'), 422, '/limit');
  assert.equal((await admin.req('DELETE', `/api/v1/sync/peers/${r.body.id}`)).status, 200);
  assertProblem(await admin.req('DELETE', `/api/v1/sync/peers/${r.body.id}`), 404);
  assert.equal((await admin.get('/api/v1/sync/status')).body.peers.some((x) => x.name === name), false);
});
