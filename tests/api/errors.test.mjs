// Bad input of every class: each gets a 4xx application/problem+json answer
// (RFC 9457, with errors[{pointer, detail}] for invalid fields) and creates
// or changes nothing.
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.mjs';
import {
  test, before, after, bearer, loginAs, report, file, move, getIncident, countIncidents, assertProblem, raw,
} from './helpers.mjs';

let server, coord, tok;

before(async () => {
  server = await startServer();
  coord = bearer(server, 'dieuphoi', { lang: 'en' });
  tok = coord.token;
});
after(async () => { await server?.stop(); });

// POSTs a raw body (string or Buffer) as dieuphoi's token.
function post(path, body, headers = {}) {
  return raw(server.url, 'POST', path, body, {
    Authorization: `Bearer ${tok}`, 'Content-Type': 'application/json', 'Accept-Language': 'en', ...headers,
  });
}

const valid = () => JSON.stringify(report());

// Each class: [name, body, status, pointer?]
const cases = () => {
  const good = valid();
  return [
    ['malformed JSON (truncated)', good.slice(0, -5), 400],
    ['malformed JSON (trailing comma)', good.replace(/}$/, ',}'), 400],
    ['malformed JSON (single quotes)', good.replaceAll('"', "'"), 400],
    ['trailing garbage', `${good} {}`, 400],
    ['empty body', '', 400],
    ['not an object (array)', `[${good}]`, 400],
    ['not an object (string)', '"hello"', 400],
    ['not an object (null)', 'null', 400],
    ['duplicate keys', good.replace(/^{/, '{"title":"A","title":"B",'), 400],
    ['duplicate keys nested', JSON.stringify({ ...report(), system: {} }).replace('"system":{}', '"system":{"name":"a","name":"b"}'), 400],
    ['wrong type: title a number', JSON.stringify({ ...report(), title: 5 }), 422, '/title'],
    ['wrong type: title an array', JSON.stringify({ ...report(), title: ['a'] }), 422, '/title'],
    ['wrong type: detected_at a number', JSON.stringify({ ...report(), detected_at: 1732400000000 }), 422, '/detected_at'],
    ['wrong type: system.level a string', JSON.stringify({ ...report(), system: { level: '2' } }), 422, '/system/level'],
    ['wrong type: system.level a float', JSON.stringify({ ...report(), system: { level: 2.5 } }), 422, '/system/level'],
    ['wrong type: confidential a string', JSON.stringify({ ...report(), confidential: 'yes' }), 422, '/confidential'],
    ['wrong type: system a string', JSON.stringify({ ...report(), system: 'web' }), 422, '/system'],
    ['wrong type: domains items numbers', JSON.stringify({ ...report(), system: { domains: [1, 2] } }), 422, '/system/domains/0'],
    ['wrong type: notified an object', JSON.stringify({ ...report(), notified: { isp: true } }), 422, '/notified'],
    ['out of range: system.level 6', JSON.stringify({ ...report(), system: { level: 6 } }), 422, '/system/level'],
    ['bad enum: type', JSON.stringify({ ...report(), type: 'virus' }), 422, '/type'],
    ['bad enum: tlp', JSON.stringify({ ...report(), tlp: 'amber' }), 422, '/tlp'],
    ['bad enum: services item', JSON.stringify({ ...report(), details: { services: ['ftp'] } }), 422, '/details/services/0'],
    ['bad enum: handling_status', JSON.stringify({ ...report(), handling_status: 'done' }), 422, '/handling_status'],
    ['bad time: detected_at', JSON.stringify({ ...report(), detected_at: '24/11/2026 08:00' }), 422, '/detected_at'],
    ['bad time: detected_at in the future', JSON.stringify({ ...report(), detected_at: new Date(Date.now() + 86400_000).toISOString() }), 422, '/detected_at'],
    ['unknown field', JSON.stringify({ ...report(), severity: 'high' }), 422, '/severity'],
    ['unknown field (status)', JSON.stringify({ ...report(), status: 'closed' }), 422, '/status'],
    ['unknown nested field', JSON.stringify({ ...report(), system: { name: 'a', password: 'x' } }), 422, '/system/password'],
    ['missing required fields', JSON.stringify({}), 422, ['/title', '/description', '/detected_at', '/type']],
    ['null for a required field', JSON.stringify({ ...report(), title: null }), 422, '/title'],
    ['empty title', JSON.stringify({ ...report(), title: '' }), 422, '/title'],
    ['invalid UTF-8 (lone continuation byte)', Buffer.concat([Buffer.from('{"title":"'), Buffer.from([0x80]), Buffer.from(good.slice(good.indexOf('","description"')))]), 400],
    ['invalid UTF-8 (truncated sequence)', Buffer.concat([Buffer.from('{"title":"T'), Buffer.from([0xC3, 0x28]), Buffer.from(good.slice(good.indexOf('","description"')))]), 400],
    ['invalid UTF-8 (overlong encoding)', Buffer.concat([Buffer.from('{"title":"'), Buffer.from([0xC0, 0xAF]), Buffer.from(good.slice(good.indexOf('","description"')))]), 400],
    ['invalid UTF-8 (surrogate half)', Buffer.concat([Buffer.from('{"title":"'), Buffer.from([0xED, 0xA0, 0x80]), Buffer.from(good.slice(good.indexOf('","description"')))]), 400],
    ['NUL as \\u0000 in a string', good.replace('"title":"', '"title":"a\\u0000b'), [400, 422]],
    ['NUL as \\u0000 in a nested string', JSON.stringify({ ...report(), system: { name: 'x' } }).replace('"name":"x', '"name":"x\\u0000'), [400, 422]],
    ['NUL as \\u0000 in a key', good.replace('"title":', '"ti\\u0000tle":'), [400, 422]],
    ['lone surrogate escape', good.replace('"title":"', '"title":"\\ud800'), [400, 422]],
    ['integer too big', JSON.stringify({ ...report(), system: { level: 1 } }).replace('"level":1', '"level":99999999999999999999999'), [400, 422]],
    ['number overflow', JSON.stringify({ ...report(), system: { level: 1 } }).replace('"level":1', '"level":1e999'), [400, 422]],
    ['raw NUL byte in a string', Buffer.from(good.replace('"title":"', '"title":"a\u0000b')), 400],
    ['raw NUL byte between tokens', Buffer.from(good.replace('{', '{\u0000')), 400],
    ['over-long title (301 bytes)', JSON.stringify({ ...report(), title: 't'.repeat(301) }), 422, '/title'],
    ['over-long title in bytes (101 × "ệ" = 303 bytes)', JSON.stringify({ ...report(), title: 'ệ'.repeat(101) }), 422, '/title'],
    ['over-long description', JSON.stringify({ ...report(), description: 'd'.repeat(20_001) }), 422, '/description'],
    ['over-long nested string', JSON.stringify({ ...report(), reporter: { name: 'n'.repeat(201) } }), 422, '/reporter/name'],
    ['too many items', JSON.stringify({ ...report(), system: { ips: Array.from({ length: 101 }, (_, k) => `10.0.0.${k}`) } }), 422, '/system/ips'],
    ['too deep JSON (objects)', `{"title":"x","system":${'{"a":'.repeat(40)}1${'}'.repeat(40)}}`, 400],
    ['too deep JSON (arrays)', `{"title":"x","notified":${'['.repeat(5000)}${']'.repeat(5000)}}`, 400],
    ['too deep JSON (unbalanced)', `{"a":${'['.repeat(100_000)}`, 400],
  ];
};

test('every malformed-input class is refused with a problem and nothing is created', async () => {
  const n = await countIncidents(coord);
  for (const [name, body, status, pointer] of cases()) {
    const r = await post('/api/v1/incidents', body);
    const want = [].concat(status);
    assert.ok(want.includes(r.status), `${name}: expected ${want}, got ${r.status} ${r.text.slice(0, 300)}`);
    assertProblem(r, r.status, pointer);
  }
  assert.equal(await countIncidents(coord), n, 'nothing created');
  // and the same body made valid is accepted, so the refusals were the input's fault
  const ok = await post('/api/v1/incidents', valid());
  assert.equal(ok.status, 201, ok.text);
  assert.equal(await countIncidents(coord), n + 1);
});

test('a valid Vietnamese title of exactly 300 bytes is accepted (lengths are bytes)', async () => {
  const r = await post('/api/v1/incidents', JSON.stringify({ ...report(), title: 'ệ'.repeat(100) }));
  assert.equal(r.status, 201, r.text);
  assert.equal(r.body.title, 'ệ'.repeat(100));
});

test('a 422 problem names every bad field, in English with Accept-Language: en', async () => {
  const r = await post('/api/v1/incidents', JSON.stringify({ title: 7, type: 'virus', foo: 1 }));
  const p = assertProblem(r, 422, ['/title', '/type', '/foo', '/description', '/detected_at']);
  assert.equal(p.type, 'about:blank');
  assert.equal(p.title, 'Unprocessable content');
  const byPtr = Object.fromEntries(p.errors.map((e) => [e.pointer, e.detail]));
  assert.match(byPtr['/foo'], /Unknown field/);
  assert.match(byPtr['/title'], /Wrong type/);
  assert.match(byPtr['/description'], /required/);
});

test('bodies over 1 MiB → 413 and nothing is created', async () => {
  const n = await countIncidents(coord);
  const big = JSON.stringify({ ...report(), description: 'x'.repeat(1024 * 1024 + 10) });
  assertProblem(await post('/api/v1/incidents', big), 413);
  // also when the client does not announce the length (chunked)
  const stream = new ReadableStream({
    start(ctrl) {
      const chunk = new TextEncoder().encode('x'.repeat(64 * 1024));
      ctrl.enqueue(new TextEncoder().encode('{"title":"a","description":"'));
      for (let k = 0; k < 20; k++) ctrl.enqueue(chunk);
      ctrl.enqueue(new TextEncoder().encode('"}'));
      ctrl.close();
    },
  });
  const r = await fetch(`${server.url}/api/v1/incidents`, {
    method: 'POST', body: stream, duplex: 'half',
    headers: { Authorization: `Bearer ${tok}`, 'Content-Type': 'application/json' },
  });
  assert.equal(r.status, 413);
  assert.match(r.headers.get('content-type'), /^application\/problem\+json/);
  assert.equal(await countIncidents(coord), n);
});

test('a client sending a body far over the limit reads the 413 answer (the connection is not reset under it)', async () => {
  // The server may refuse early, but it must let the client read its answer:
  // closing with the upload unread resets the connection (EPIPE/ECONNRESET).
  const n = await countIncidents(coord);
  const outcomes = [];
  for (let k = 0; k < 5; k++) {
    try {
      const r = await post('/api/v1/incidents', JSON.stringify({ ...report(), description: 'x'.repeat(4 * 1024 * 1024) }));
      outcomes.push(r.status);
    } catch (e) {
      outcomes.push(e.cause?.code ?? e.message);
    }
  }
  assert.deepEqual(outcomes, [413, 413, 413, 413, 413]);
  assert.equal(await countIncidents(coord), n);
});

test('the wrong Content-Type for a JSON endpoint → 415 problem, nothing created', async () => {
  const n = await countIncidents(coord);
  assertProblem(await post('/api/v1/incidents', valid(), { 'Content-Type': 'text/plain' }), 415);
  assertProblem(await post('/api/v1/incidents', valid(), { 'Content-Type': 'application/x-www-form-urlencoded' }), 415);
  assert.equal(await countIncidents(coord), n);
});

test('unknown endpoint → 404 problem; a known path with the wrong method → 405 problem', async () => {
  const a = await raw(server.url, 'GET', '/api/v1/nothing-here', undefined, { Authorization: `Bearer ${tok}` });
  assertProblem(a, 404);
  const b = await raw(server.url, 'DELETE', '/api/v1/incidents', undefined, { Authorization: `Bearer ${tok}` });
  assertProblem(b, 405);
  const c = await raw(server.url, 'PUT', '/api/v1/health');
  assertProblem(c, 405);
});

test('a 405 answer carries the Allow header (RFC 9110 §15.5.6)', async () => {
  const b = await raw(server.url, 'DELETE', '/api/v1/incidents', undefined, { Authorization: `Bearer ${tok}` });
  assert.equal(b.status, 405);
  const allow = (b.headers.get('allow') ?? '').split(',').map((m) => m.trim()).sort();
  assert.deepEqual(allow, ['GET', 'POST']);
});

test('malformed input on the other endpoints changes nothing either', async () => {
  const i = await file(coord, { org_code: 'pq-tamthanh' });
  const id = i.id;
  const put = (p, b, h) => post(`/api/v1/incidents/${id}${p}`, b, h);
  const bads = [
    ['/transitions', '{"to":"acknowledged"', { 'If-Match': '"1"' }, 400],
    ['/transitions', '{"to":"acknowledged","to":"verified"}', { 'If-Match': '"1"' }, 400],
    ['/transitions', '{"to":1}', { 'If-Match': '"1"' }, 422],
    ['/transitions', `{"to":"acknowledged","note":"${'n'.repeat(2001)}"}`, { 'If-Match': '"1"' }, 422],
    ['/transitions', '{"to":"acknowledged","note":"a\\u0000"}', { 'If-Match': '"1"' }, [400, 422]],
    ['/comments', '{"body":"a","body":"b"}', {}, 400],
    ['/comments', '{"body":["a"]}', {}, 422],
    ['/comments', `{"body":"${'c'.repeat(20_001)}"}`, {}, 422],
    ['/comments', Buffer.from([0x7b, 0x22, 0x62, 0x6f, 0x64, 0x79, 0x22, 0x3a, 0x22, 0xff, 0x22, 0x7d]), {}, 400],
    ['/observables', '{"kind":"ip","value":"203.0.113.1","extra":true}', {}, 422],
    ['/tasks', `{"title":${'['.repeat(30)}${']'.repeat(30)}}`, {}, 400],
    ['/reports', '[]', {}, 400],
    ['/support-requests', '{"summary":null}', {}, 422],
  ];
  for (const [p, b, h, st] of bads) {
    const r = await put(p, b, h);
    assert.ok([].concat(st).includes(r.status), `${p} ${String(b).slice(0, 60)}: got ${r.status} ${r.text}`);
    assertProblem(r, r.status);
  }
  const g = await getIncident(coord, id);
  assert.equal(g.version, 1);
  assert.equal(g.status, 'received');
  assert.equal(g.timeline.length, 1);
  for (const k of ['comments', 'observables', 'tasks', 'reports', 'support_requests']) assert.equal(g[k].length, 0, k);
  // a malformed If-Match is not taken for a version
  const m = await move(coord, id, { to: 'acknowledged' }, 'abc');
  assert.ok([400, 412, 422, 428].includes(m.status), `If-Match "abc": ${m.status}`);
  assert.equal((await getIncident(coord, id)).version, 1);
});

test('directory endpoints refuse malformed input too', async () => {
  const admin = await loginAs(server, 'admin');
  const orgs = (await admin.get('/api/v1/orgs')).body.items.length;
  const users = (await admin.get('/api/v1/users')).body.items.length;
  const bads = [
    ['/api/v1/orgs', '{"code":"x","code":"y","name":"n","kind":"commune","parent_code":"pq"}', 400],
    ['/api/v1/orgs', '{"code":"x1","name":"n","kind":"village","parent_code":"pq"}', 422],
    ['/api/v1/orgs', '{"code":"x 1","name":"n","kind":"commune","parent_code":"pq"}', 422],
    ['/api/v1/orgs', `{"code":"x2","name":"${'n'.repeat(301)}","kind":"commune","parent_code":"pq"}`, 422],
    ['/api/v1/users', '{"username":"u1","password":"p","org_code":"pq","roles":["reporter"]}', 422],
    ['/api/v1/users', '{"username":"u2","password":"mat-khau-dai","org_code":"pq","roles":["god"]}', 422],
    ['/api/v1/users', '{"username":"U 3","password":"mat-khau-dai","org_code":"pq","roles":["reporter"]}', 422],
    ['/api/v1/users', '{"username":"u4","password":"mat-khau-dai","org_code":"pq","roles":"reporter"}', 422],
    ['/api/v1/users', '{"username":"u5","password":"mat-khau-dai","org_code":"nowhere","roles":["reporter"]}', 422],
    ['/api/v1/users', '{"username":"u6","password":"mat-khau-dai","org_code":"pq","roles":["reporter"],"is_admin":true}', 422],
  ];
  for (const [p, b, st] of bads) {
    const r = await admin.post(p, b);
    assert.equal(r.status, st, `${p} ${b}: ${r.text}`);
    assertProblem(r, st);
  }
  assert.equal((await admin.get('/api/v1/orgs')).body.items.length, orgs);
  assert.equal((await admin.get('/api/v1/users')).body.items.length, users);
});

test('a list\'s limit is a whole number in its range on every list: junk, a sign or too large → 422 naming it', async () => {
  const lists = [['/api/v1/incidents', 200], ['/api/v1/deadlines', 1000], ['/api/v1/indicators', 200], ['/api/v1/findings', 500],
    ['/api/v1/sightings', 1000], ['/api/v1/systems', 500], ['/api/v1/hosts', 500], ['/api/v1/warnings', 500], ['/api/v1/hunts', 500]];
  for (const [path, max] of lists) {
    for (const bad of ['abc', '10abc', '-1', '+5', '0', String(max + 1), '99999999999999999999', '1.5']) {
      const r = await coord.get(`${path}?limit=${encodeURIComponent(bad)}`);
      assert.equal(r.status, 422, `${path}?limit=${bad}: ${r.status} ${r.text.slice(0, 200)}`);
      assert.equal(r.body.errors?.[0]?.pointer, '/limit', r.text);
    }
    const ok = await coord.get(`${path}?limit=${max}`);
    assert.equal(ok.status, 200, `${path}?limit=${max}: ${ok.text.slice(0, 200)}`);
  }
});
