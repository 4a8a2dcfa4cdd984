// The indicator store (issue 6) against a real server: records told apart
// and normalised from their value, update in place, If-Match, list filters
// and pages; organisation scope and TLP (what another organisation may
// read, never write); imports of the STIX, MISP, YARA fixtures and of lists
// and CSV, all or nothing; exports under the TLP rule for every label and
// recipient, and their round trip into a fresh server; observables matched
// against the store and a new indicator against open incidents.
// The fixtures are tests/data/ioc (STIX, MISP) and tests/data/sweep (YARA);
// their READMEs name the sources.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { domainToASCII } from 'node:url';
import { startServer, root } from '../lib/server.mjs';
import { bearer, assertProblem, report, move } from './helpers.mjs';
import { validate as validateMisp } from './misp_schema.mjs';
import { stixProblems } from '../tools/stix-schema.mjs';

const T = { timeout: 60_000 };
const IOC = join(root, 'tests', 'data', 'ioc');
const SWEEP = join(root, 'tests', 'data', 'sweep');
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

let srv;
let coord;   // dieuphoi: coordinator + responder of the district pq
let tam;     // tamthanh: reporter + focal of pq-tamthanh
let longhai; // longhai: reporter of pq-longhai
let tinh;    // the province, above pq
let leader;  // lanhdao: leader (reads only)

before(async () => {
  srv = await startServer();
  coord = bearer(srv, 'dieuphoi');
  tam = bearer(srv, 'tamthanh');
  longhai = bearer(srv, 'longhai');
  tinh = bearer(srv, 'tinh');
  leader = bearer(srv, 'lanhdao');
});
after(async () => { await srv?.stop(); });

let seq = 0;
// A name no other test uses, for values and tags.
const uniq = (p) => `${p}${process.pid}x${++seq}`;

async function create(c, body, status = 201) {
  const r = await c.post('/api/v1/indicators', body);
  assert.equal(r.status, status, `create ${JSON.stringify(body)}: ${r.text}`);
  return r.body;
}

function upload(c, format, body, query = '') {
  const type = { stix: 'application/json', misp: 'application/json', csv: 'text/csv' }[format] ?? 'text/plain';
  return c.req('POST', `/api/v1/indicators/import/${format}${query}`, body, { 'Content-Type': type });
}

// Every indicator a client reads with the given filters (all pages).
async function listAll(c, query = '') {
  const out = [];
  let cursor = null;
  for (let i = 0; i < 100; i++) {
    const r = await c.get(`/api/v1/indicators?limit=200${query}${cursor ? `&cursor=${cursor}` : ''}`);
    assert.equal(r.status, 200, r.text);
    out.push(...r.body.items);
    cursor = r.body.next_cursor;
    if (!cursor) return out;
  }
  throw new Error('too many pages');
}

async function incident(c, fields = {}) {
  const r = await c.post('/api/v1/incidents', report(fields));
  assert.equal(r.status, 201, r.text);
  return r.body;
}

async function observe(c, incidentId, kind, value) {
  const r = await c.post(`/api/v1/incidents/${incidentId}/observables`, { kind, value });
  assert.equal(r.status, 201, r.text);
  return r.body;
}

// ---- records ----

test('POST /indicators tells the kind from the value and normalises it', T, async () => {
  const tag = uniq('norm');
  const cases = [
    ['hxxp://evil-norm[.]example/dl/x.php', 'url', 'http://evil-norm.example/dl/x.php'],
    ['hxxps://Phish[.]Example/login', 'url', 'https://phish.example/login'],
    ['bücher-norm.example', 'domain', domainToASCII('bücher-norm.example')],
    ['bücher.example', 'domain', 'xn--bcher-kva.example'],
    ['WWW.Evil-Norm.Example.', 'domain', 'www.evil-norm.example'],
    ['2001:DB8:0:0:0:0:0:1', 'ipv6', '2001:db8::1'],
    ['2001:0db8:0000:0000:0001:0000:0000:0001', 'ipv6', '2001:db8::1:0:0:1'],
    ['203.0.113.7', 'ipv4', '203.0.113.7'],
    ['198.51.100.0/24', 'cidr', '198.51.100.0/24'],
    ['D41D8CD98F00B204E9800998ECF8427E', 'md5', 'd41d8cd98f00b204e9800998ecf8427e'],
    ['da39a3ee5e6b4b0d3255bfef95601890afd80709', 'sha1', 'da39a3ee5e6b4b0d3255bfef95601890afd80709'],
    ['E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855', 'sha256',
      'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'],
    ['Ke.Toan@Evil-Norm.Example', 'email', 'Ke.Toan@evil-norm.example'],
  ];
  for (const [value, kind, normal] of cases) {
    const r = await coord.post('/api/v1/indicators', { value, tags: [tag] });
    assert.equal(r.status, 201, `${value}: ${r.text}`);
    assert.equal(r.headers.get('etag'), '"1"');
    assert.match(r.body.id, UUID);
    assert.equal(r.body.kind, kind, value);
    assert.equal(r.body.value.toLowerCase(), normal.toLowerCase(), value);
    if (kind !== 'email') assert.equal(r.body.value, normal, value);
    assert.equal(r.body.tlp, 'AMBER', 'default label');
    assert.equal(r.body.org.code, 'pq');
    assert.equal(r.body.active, true);
    assert.equal(r.body.version, 1);
  }
  // The domain of an e-mail address is lower-cased (the local part may not be).
  const mail = (await listAll(coord, `&tag=${tag}&kind=email`))[0];
  assert.match(mail.value, /@evil-norm\.example$/);
  // An explicit kind is kept.
  const f = await create(coord, { kind: 'filename', value: 'Hoa don 2025.pdf.exe', tags: [tag] });
  assert.equal(f.kind, 'filename');
  assert.equal(f.value, 'Hoa don 2025.pdf.exe');
});

test('the same kind and value again updates the record: 200, same id, version + 1', T, async () => {
  const value = `${uniq('again')}.example`;
  const a = await create(coord, { value, tlp: 'GREEN', name: 'đầu tiên', tags: ['a'] });
  // Written differently, normalised to the same value.
  const r = await coord.post('/api/v1/indicators', { value: value.toUpperCase().replace(/\./g, '[.]'),
    tlp: 'AMBER', name: 'lần hai', tags: ['b'], confidence: 80 });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.headers.get('etag'), '"2"');
  assert.equal(r.body.id, a.id);
  assert.equal(r.body.version, a.version + 1);
  assert.equal(r.body.value, value);
  assert.equal(r.body.name, 'lần hai');
  assert.equal(r.body.tlp, 'AMBER');
  assert.deepEqual(r.body.tags, ['b']);
  assert.equal(r.body.confidence, 80);
  assert.equal((await listAll(coord, `&q=${value}`)).length, 1);
  // The same value in another organisation is another record.
  const other = await create(coord, { value, org_code: 'pq-tamthanh' });
  assert.notEqual(other.id, a.id);
  assert.equal(other.org.code, 'pq-tamthanh');
});

test('a value that is no indicator → 422 /value; a wrong kind → 422; a bad YARA rule → 422 naming the line', T, async () => {
  const en = bearer(srv, 'dieuphoi', { lang: 'en' });
  for (const body of [
    { value: 'not an indicator at all' },
    { kind: 'ipv4', value: '1.2.3' },
    { kind: 'ipv4', value: '300.1.1.1' },
    { kind: 'sha256', value: 'abc' },
    { kind: 'domain', value: 'bad_domain..example' },
    { kind: 'cidr', value: '10.0.0.0/33' },
  ]) {
    const p = assertProblem(await en.post('/api/v1/indicators', body), 422, '/value');
    assert.ok(p.errors.find((e) => e.pointer === '/value').detail.includes(body.value), JSON.stringify(p));
  }
  assertProblem(await en.post('/api/v1/indicators', { kind: 'ip', value: '1.2.3.4' }), 422, '/kind');
  assertProblem(await en.post('/api/v1/indicators', {}), 422, '/value');
  assertProblem(await en.post('/api/v1/indicators', { value: '1.2.3.4', tlp: 'PURPLE' }), 422, '/tlp');
  assertProblem(await en.post('/api/v1/indicators', { value: '1.2.3.4', confidence: 101 }), 422, '/confidence');
  assertProblem(await en.post('/api/v1/indicators', { value: '1.2.3.4', share_with_codes: ['khong-co'] }), 422,
    '/share_with_codes/0');
  assertProblem(await en.post('/api/v1/indicators', { value: '1.2.3.4', valid_from: '2026-01-02T00:00:00Z',
    valid_until: '2026-01-01T00:00:00Z' }), 422, '/valid_until');
  // Line 7 names an identifier that does not exist.
  const rule = 'rule a { condition: true }\n\nrule b {\n  strings:\n    $a = "x"\n  condition:\n    $a and nosuchthing\n}\n';
  const p = assertProblem(await en.post('/api/v1/indicators', { kind: 'yara', value: rule }), 422);
  assert.match(p.detail, /(:|line )7\b/, p.detail);
  assert.match(p.detail, /nosuchthing/);
  // Text that is not YARA, and includes, are refused with the same answer
  // whether the included file exists or not (no oracle).
  for (const v of ['d://s\\', 'http://evil.example\\gate.php', '1.2.3.4\n']) {
    const q = assertProblem(await en.post('/api/v1/indicators', { kind: 'yara', value: v }), 422);
    assert.match(q.detail, /YARA/);
  }
  const inc = (f) => `include "${f}"\nrule i { condition: true }\n`;
  const a = assertProblem(await en.post('/api/v1/indicators', { kind: 'yara', value: inc('/etc/passwd') }), 422);
  const b = assertProblem(await en.post('/api/v1/indicators', { kind: 'yara', value: inc('/nonexistent/x') }), 422);
  assert.equal(a.detail, b.detail);
  // A rule that compiles is stored as it is.
  const good = 'rule good_rule_' + process.pid + ' {\n  strings: $a = "ungcuu-test"\n  condition: $a\n}\n';
  const y = await create(coord, { kind: 'yara', value: good });
  assert.equal(y.kind, 'yara');
  assert.equal(y.value, good);
  assert.equal(y.active, true);
});

test('GET /indicators filters by q, kind, tlp, tag, active and org; cursor pages are disjoint', T, async () => {
  const tag = uniq('list');
  const made = [];
  for (let k = 0; k < 7; k++) {
    made.push(await create(coord, { value: `10.77.${seq % 250}.${k + 1}`, tags: [tag], tlp: k % 2 ? 'GREEN' : 'AMBER',
      name: k === 3 ? `máy chủ điều khiển ${tag}` : undefined }));
  }
  made.push(await create(coord, { value: `${tag}.example`, tags: [tag, 'other'], tlp: 'GREEN' }));
  made.push(await create(coord, { value: `old-${tag}.example`, tags: [tag], tlp: 'GREEN',
    valid_from: '2020-01-01T00:00:00Z', valid_until: '2021-01-01T00:00:00Z' }));
  made.push(await create(coord, { value: `ctx-${tag}.example`, tags: [tag], tlp: 'GREEN', to_ids: false }));
  made.push(await create(coord, { value: `tam-${tag}.example`, tags: [tag], tlp: 'GREEN', org_code: 'pq-tamthanh' }));

  const all = await listAll(coord, `&tag=${tag}`);
  assert.equal(all.length, made.length);
  // Newest first.
  assert.deepEqual(all.map((i) => i.id), made.map((i) => i.id).reverse());
  // A tag is matched whole, not as part of another.
  assert.equal((await listAll(coord, `&tag=${tag.slice(0, -1)}`)).length, 0);

  const kinds = await listAll(coord, `&tag=${tag}&kind=domain`);
  assert.equal(kinds.length, 4);
  assert.ok(kinds.every((i) => i.kind === 'domain'));
  const green = await listAll(coord, `&tag=${tag}&tlp=GREEN`);
  assert.equal(green.length, 3 + 4);
  assert.ok(green.every((i) => i.tlp === 'GREEN'));
  const q = await listAll(coord, `&q=${encodeURIComponent(`điều khiển ${tag}`)}`);
  assert.deepEqual(q.map((i) => i.id), [made[3].id], 'q finds the name');
  assert.deepEqual((await listAll(coord, `&q=old-${tag}`)).map((i) => i.id), [made[8].id], 'q finds the value');
  const active = await listAll(coord, `&tag=${tag}&active=true`);
  assert.equal(active.length, made.length - 2, 'neither the expired nor the non-to_ids one');
  assert.ok(!active.find((i) => i.id === made[8].id || i.id === made[9].id));
  assert.equal(made[8].active, false);
  assert.equal(made[9].active, false);
  const own = await listAll(coord, `&tag=${tag}&org=pq-tamthanh`);
  assert.deepEqual(own.map((i) => i.id), [made[10].id]);

  // Pages of 3: disjoint, in order, the last with no cursor.
  const seen = [];
  let cursor = null;
  let pages = 0;
  for (; pages < 10; pages++) {
    const r = await coord.get(`/api/v1/indicators?tag=${tag}&limit=3${cursor ? `&cursor=${cursor}` : ''}`);
    assert.equal(r.status, 200, r.text);
    assert.ok(r.body.items.length <= 3);
    seen.push(...r.body.items.map((i) => i.id));
    cursor = r.body.next_cursor;
    if (!cursor) break;
    assert.equal(cursor, r.body.items.at(-1).id);
  }
  assert.equal(pages + 1, Math.ceil(made.length / 3));
  assert.deepEqual(seen, all.map((i) => i.id));
});

test('GET, PATCH with If-Match (428 missing, 412 stale), kind/value fixed, DELETE', T, async () => {
  const value = `${uniq('edit')}.example`;
  const a = await create(coord, { value, name: 'trước', tags: ['x'] });
  const g = await coord.get(`/api/v1/indicators/${a.id}`);
  assert.equal(g.status, 200, g.text);
  assert.equal(g.headers.get('etag'), '"1"');
  assert.deepEqual(g.body.sightings_list, []);
  assert.deepEqual(g.body.incidents, []);
  assert.equal(g.body.value, value);

  const path = `/api/v1/indicators/${a.id}`;
  assertProblem(await coord.patch(path, { name: 'sau' }), 428);
  assertProblem(await coord.patch(path, { name: 'sau' }, { 'If-Match': '"9"' }), 412);
  assertProblem(await coord.patch(path, { value: 'other.example' }, { 'If-Match': '"1"' }), 422, '/value');
  assertProblem(await coord.patch(path, { kind: 'url' }, { 'If-Match': '"1"' }), 422, '/kind');
  const p = await coord.patch(path, { name: 'sau', tlp: 'GREEN', tags: ['y', 'z'], confidence: 50,
    valid_until: '2099-01-01T00:00:00Z' }, { 'If-Match': '"1"' });
  assert.equal(p.status, 200, p.text);
  assert.equal(p.headers.get('etag'), '"2"');
  assert.equal(p.body.version, 2);
  assert.equal(p.body.name, 'sau');
  assert.equal(p.body.tlp, 'GREEN');
  assert.deepEqual(p.body.tags, ['y', 'z']);
  assert.equal(p.body.confidence, 50);
  assert.equal(p.body.valid_until, '2099-01-01T00:00:00.000Z');
  assert.equal(p.body.value, value);
  assert.equal(p.body.kind, 'domain');
  // The old version is stale now.
  assertProblem(await coord.patch(path, { name: 'lại' }, { 'If-Match': '"1"' }), 412);

  assertProblem(await coord.del(path), 428);
  assertProblem(await coord.del(path, { 'If-Match': '"1"' }), 412);
  const d = await coord.del(path, { 'If-Match': '"2"' });
  assert.equal(d.status, 204, d.text);
  assertProblem(await coord.get(path), 404);
  assertProblem(await coord.patch(path, { name: 'x' }, { 'If-Match': '"2"' }), 404);
  assertProblem(await coord.get('/api/v1/indicators/not-a-uuid'), 404);
  assert.equal((await listAll(coord, `&q=${value}`)).length, 0);
});

test('related goes in as "TYPE:NAME" or as the records give it back, [{"type","name"}]', T, async () => {
  const a = await create(coord, { value: `${uniq('rel')}.example`, related: ['malware:LockBit 3.0'] });
  assert.deepEqual(a.related, [{ type: 'malware', name: 'LockBit 3.0' }]);
  const path = `/api/v1/indicators/${a.id}`;
  // A record read is written back as is.
  const back = await coord.patch(path, { related: [...a.related, { type: 'threat-actor', name: 'APT32' }] },
    { 'If-Match': '"1"' });
  assert.equal(back.status, 200, back.text);
  assert.deepEqual(back.body.related, [{ type: 'malware', name: 'LockBit 3.0' }, { type: 'threat-actor', name: 'APT32' }]);
  assertProblem(await coord.patch(path, { related: [{ type: 'malware' }] }, { 'If-Match': '"2"' }), 422, '/related/0');
  assertProblem(await coord.patch(path, { related: ['no-colon'] }, { 'If-Match': '"2"' }), 422, '/related/0');
});

test('an expired indicator (valid_until past) is not active and matches no observable', T, async () => {
  const d = `${uniq('expired')}.example`;
  const x = await create(coord, { value: d, tlp: 'GREEN', valid_from: '2020-01-01T00:00:00Z',
    valid_until: '2021-01-01T00:00:00Z' });
  assert.equal(x.active, false);
  const future = await create(coord, { value: `later-${d}`, tlp: 'GREEN', valid_from: '2099-01-01T00:00:00Z' });
  assert.equal(future.active, false, 'not yet valid');
  const inc = await incident(coord);
  const o = await observe(coord, inc.id, 'domain', `www.${d}`);
  assert.deepEqual(o.matches.indicators, []);
  const o2 = await observe(coord, inc.id, 'domain', `later-${d}`);
  assert.deepEqual(o2.matches.indicators, []);
  assert.equal((await coord.get(`/api/v1/sightings?indicator=${x.id}`)).body.items.length, 0);
  assert.equal((await coord.get(`/api/v1/indicators/${x.id}`)).body.sightings, 0);
  // Made valid again (PATCH), it matches the next observable.
  const p = await coord.patch(`/api/v1/indicators/${x.id}`, { valid_until: '2099-01-01T00:00:00Z' }, { 'If-Match': '"1"' });
  assert.equal(p.status, 200, p.text);
  assert.equal(p.body.active, true);
  const o3 = await observe(coord, inc.id, 'domain', `mail.${d}`);
  assert.deepEqual(o3.matches.indicators.map((i) => i.id), [x.id]);
});

// ---- scope and TLP ----

test('AMBER of pq is 404 for a commune unless it is named; shared is readable, never writable', T, async () => {
  const amber = await create(coord, { value: `${uniq('amber')}.example`, tlp: 'AMBER' });
  const shared = await create(coord, { value: `${uniq('shared')}.example`, tlp: 'AMBER',
    share_with_codes: ['pq-tamthanh'] });
  assert.deepEqual(shared.share_with.map((s) => s.code), ['pq-tamthanh']);
  for (const c of [tam, longhai]) {
    assertProblem(await c.get(`/api/v1/indicators/${amber.id}`), 404);
    assert.equal((await listAll(c, `&q=${amber.value}`)).length, 0);
  }
  assertProblem(await longhai.get(`/api/v1/indicators/${shared.id}`), 404);
  assert.equal((await listAll(longhai, `&q=${shared.value}`)).length, 0);
  const g = await tam.get(`/api/v1/indicators/${shared.id}`);
  assert.equal(g.status, 200, g.text);
  assert.equal(g.body.org.code, 'pq');
  assert.deepEqual(g.body.share_with, [{ code: 'pq-tamthanh', name: 'UBND xã Tam Thanh' }]);
  assert.equal(g.body.editable, false);
  assert.deepEqual((await listAll(tam, `&q=${shared.value}`)).map((i) => i.id), [shared.id]);
  assertProblem(await tam.patch(`/api/v1/indicators/${shared.id}`, { name: 'sửa' }, { 'If-Match': '"1"' }), 403);
  assertProblem(await tam.del(`/api/v1/indicators/${shared.id}`, { 'If-Match': '"1"' }), 403);
  assertProblem(await tam.patch(`/api/v1/indicators/${amber.id}`, { name: 'sửa' }, { 'If-Match': '"1"' }), 404);
  // Unchanged.
  assert.equal((await coord.get(`/api/v1/indicators/${shared.id}`)).body.version, 1);
  // The province above pq reads it by scope.
  assert.equal((await tinh.get(`/api/v1/indicators/${amber.id}`)).status, 200);
  // AMBER+STRICT and RED stay inside (and above) the owner too.
  for (const tlp of ['AMBER+STRICT', 'RED']) {
    const s = await create(coord, { value: `${uniq('strict')}.example`, tlp, share_with_codes: ['pq-tamthanh'] });
    assertProblem(await tam.get(`/api/v1/indicators/${s.id}`), 404);
    assertProblem(await longhai.get(`/api/v1/indicators/${s.id}`), 404);
  }
});

test('GREEN and CLEAR of pq are visible to every demo login', T, async () => {
  const green = await create(coord, { value: `${uniq('green')}.example`, tlp: 'GREEN' });
  const clear = await create(coord, { value: `${uniq('clear')}.example`, tlp: 'CLEAR' });
  // And a GREEN one of a commune, visible up and across the tree.
  const commune = await create(tam, { value: `${uniq('tamgreen')}.example`, tlp: 'GREEN' });
  assert.equal(commune.org.code, 'pq-tamthanh');
  for (const { username } of srv.logins) {
    const c = bearer(srv, username);
    for (const i of [green, clear, commune]) {
      const r = await c.get(`/api/v1/indicators/${i.id}`);
      assert.equal(r.status, 200, `${username} reads ${i.tlp} of ${i.org.code}: ${r.text}`);
    }
  }
  assertProblem(await longhai.patch(`/api/v1/indicators/${commune.id}`, { name: 'x' }, { 'If-Match': '"1"' }), 403);
  assertProblem(await coord.patch(`/api/v1/indicators/${green.id}`, { name: 'x' }), 428);
});

test('writers: the leader and a reporter cannot create (403), a commune writes only in its scope', T, async () => {
  assertProblem(await leader.post('/api/v1/indicators', { value: '192.0.2.200' }), 403);
  assertProblem(await longhai.post('/api/v1/indicators', { value: '192.0.2.201' }), 403);
  assertProblem(await upload(leader, 'list', '192.0.2.202\n', '?name=l.txt'), 403);
  assert.equal((await leader.get('/api/v1/indicators?limit=1')).status, 200, 'the leader reads');
  assertProblem(await tam.post('/api/v1/indicators', { value: '192.0.2.203', org_code: 'pq' }), 422, '/org_code');
  assertProblem(await coord.post('/api/v1/indicators', { value: '192.0.2.204', org_code: 'stttt-bth' }), 422, '/org_code');
  const own = await create(tam, { value: `${uniq('tam')}.example`, tlp: 'AMBER+STRICT' });
  assert.equal(own.org.code, 'pq-tamthanh');
  // The district above edits the commune's record.
  const p = await coord.patch(`/api/v1/indicators/${own.id}`, { name: 'huyện sửa' }, { 'If-Match': '"1"' });
  assert.equal(p.status, 200, p.text);
});

// ---- import ----

const file = (p) => readFileSync(p);

test('import STIX fixtures: counts, kinds, patterns kept and reported, default tlp for unlabelled', T, async () => {
  // Into a commune of its own, so that the counts are this file's alone.
  const before = (await listAll(coord, '&org=pq-vhtt')).length;
  let r = await upload(coord, 'stix', file(join(IOC, 'stix', 'indicator-for-c2-ip-address.json')),
    '?name=indicator-for-c2-ip-address.json&tlp=GREEN&org=pq-vhtt');
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.records, 1);
  assert.equal(r.body.created, 1);
  assert.equal(r.body.updated, 0);
  assert.equal(r.body.org.code, 'pq-vhtt');
  let mine = await listAll(coord, '&org=pq-vhtt&q=10.0.0.0');
  assert.equal(mine.length, 1);
  assert.equal(mine[0].kind, 'ipv4');
  assert.equal(mine[0].tlp, 'GREEN', 'the ?tlp= default for a record with no marking');
  assert.equal(mine[0].name, 'IP Address for known C2 channel');

  // Again, with the COA bundle: the same address updates, the hash is new.
  let created = r.body.created;
  r = await upload(coord, 'stix', file(join(IOC, 'stix', 'indicators-for-C2-with-COA.json')),
    '?name=indicators-for-C2-with-COA.json&org=pq-vhtt');
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.records, 2);
  assert.equal(r.body.created, 1);
  assert.equal(r.body.updated, 1);
  assert.deepEqual(r.body.kinds, { ipv4: 1, sha256: 1 });
  created += r.body.created;

  // MATCHES on e-mail fields is kept as text and reported, not dropped.
  r = await upload(coord, 'stix', file(join(IOC, 'stix', 'malicious-email-indicator-with-attachment.json')),
    '?name=malicious-email.json&org=pq-vhtt');
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.unconverted, 2);
  assert.equal(r.body.kept.length, 2);
  created += r.body.created;
  for (const k of r.body.kept) {
    assert.match(k.id, /^indicator--/);
    assert.match(k.why, /MATCHES/);
  }
  const patterns = await listAll(coord, '&org=pq-vhtt&kind=pattern');
  assert.equal(patterns.length, 2);
  assert.ok(patterns.every((p) => p.active === false && p.why.length > 0));

  // Infrastructure observables (no pattern) and a TAXII collection with versions.
  r = await upload(coord, 'stix', file(join(IOC, 'stix', 'infrastructure.json')), '?name=infrastructure.json&org=pq-vhtt');
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.body.kinds, { ipv4: 1, domain: 1 });
  assert.equal(r.body.records, 2);
  created += r.body.created;
  r = await upload(coord, 'stix', file(join(IOC, 'stix', 'default_data.json')), '?name=default_data.json&org=pq-vhtt');
  assert.equal(r.status, 200, r.text);
  assert.ok(r.body.superseded >= 1, 'older versions of one indicator are superseded');
  assert.equal(r.body.records, r.body.created + r.body.updated);
  created += r.body.created;
  mine = await listAll(coord, '&org=pq-vhtt');
  assert.equal(mine.length - before, created);
  assert.ok(created >= 1 + 1 + 2 + 1 + 1);
});

test('import MISP fixtures: to_ids attributes become indicators, tlp:white is CLEAR, the rest is skipped', T, async () => {
  const r = await upload(coord, 'misp', file(join(IOC, 'misp', '57c4445b-c548-4654-af0b-4be3950d210f.json')),
    '?name=xorist.json&org=pq-kttc&tlp=RED');
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.records, 4);
  assert.equal(r.body.created, 4);
  assert.deepEqual(r.body.kinds, { sha256: 1, sha1: 1, md5: 1, filename: 1 });
  assert.equal(r.body.skipped, 5, 'two links, a comment, a text and a regkey|value');
  const got = await listAll(coord, '&org=pq-kttc&q=b3c4ae251f8094fa15b510051835c657eaef2a6cea46075d3aec964b14a99f68');
  assert.equal(got.length, 1);
  assert.equal(got[0].kind, 'sha256');
  assert.equal(got[0].tlp, 'CLEAR', 'the event\'s tlp:white wins over ?tlp=RED');
  assert.ok(got[0].tags.some((t) => t.startsWith('ms-caro-malware:')), JSON.stringify(got[0].tags));
  assert.ok(!got[0].tags.some((t) => t.startsWith('tlp:')), 'the TLP tag is the label, not a tag');
  const fname = await listAll(coord, '&org=pq-kttc&kind=filename');
  assert.deepEqual(fname.map((i) => i.value), ['3Z4wnG9603it23y.exe']);

  const s = await upload(coord, 'misp', file(join(IOC, 'misp', 'sighting_1.json')), '?name=sighting_1.json&org=pq-kttc');
  assert.equal(s.status, 200, s.text);
  assert.deepEqual(s.body.kinds, { domain: 4, url: 1 });
  const big = await upload(coord, 'misp', file(join(IOC, 'misp', 'to_delete3.json')), '?name=to_delete3.json&org=pq-kttc');
  assert.equal(big.status, 200, big.text);
  assert.equal(big.body.records, 62);
  assert.equal(big.body.kinds.ipv4, 43, 'ip-dst attributes and the ip-port objects');
  // Imported twice: all updates, nothing new.
  const again = await upload(coord, 'misp', file(join(IOC, 'misp', 'to_delete3.json')), '?name=to_delete3.json&org=pq-kttc');
  assert.equal(again.status, 200, again.text);
  assert.equal(again.body.created, 0);
  assert.equal(again.body.updated, 62);
});

test('import YARA rule files (libyara): one indicator a file; lists and CSV with the default label', T, async () => {
  const before = (await listAll(coord, '&org=pq-viettel')).length;
  const y = await upload(coord, 'yara', file(join(SWEEP, 'expl_log4j_cve_2021_44228.yar')),
    '?name=expl_log4j_cve_2021_44228.yar&org=pq-viettel');
  assert.equal(y.status, 200, y.text);
  assert.equal(y.body.records, 1);
  assert.deepEqual(y.body.kinds, { yara: 1 });
  const lb = await upload(coord, 'yara', file(join(SWEEP, 'Win32.Ransomware.LockBit.yara')),
    '?name=Win32.Ransomware.LockBit.yara&org=pq-viettel&tlp=GREEN');
  assert.equal(lb.status, 200, lb.text);
  const yaras = await listAll(coord, '&org=pq-viettel&kind=yara');
  assert.equal(yaras.length, 2);
  const lockbit = yaras.find((i) => i.value.includes('Win32_Ransomware_LockBit'));
  assert.ok(lockbit, 'the rule text is stored');
  assert.equal(lockbit.tlp, 'GREEN');
  assert.equal(lockbit.value, readFileSync(join(SWEEP, 'Win32.Ransomware.LockBit.yara'), 'utf8'));

  const list = await upload(coord, 'list', [
    '# cảnh báo của tỉnh, một dòng một chỉ dấu',
    '203.0.113.50',
    'c2-list[.]example   # máy chủ điều khiển',
    '',
    'hxxps://phish-list.example/dang-nhap',
    '44d88612fea8a8f36de82e1278abb02f',
  ].join('\n'), '?name=canh-bao.txt&org=pq-viettel&tlp=GREEN');
  assert.equal(list.status, 200, list.text);
  assert.equal(list.body.records, 4);
  assert.deepEqual(list.body.kinds, { ipv4: 1, domain: 1, url: 1, md5: 1 });
  assert.equal(list.body.skipped, 2, 'the comment and the blank line');
  const listed = await listAll(coord, '&org=pq-viettel&q=c2-list.example');
  assert.equal(listed[0].tlp, 'GREEN');

  const csv = await upload(coord, 'csv', [
    'type,value,tlp,confidence,tags,name',
    'ipv4,203.0.113.51,RED,90,apt;c2,Máy chủ C2',
    ',csv-default.example,,,,',
    'sha256,E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855,AMBER+STRICT,,,',
  ].join('\r\n') + '\r\n', '?name=ds.csv&org=pq-viettel&tlp=CLEAR');
  assert.equal(csv.status, 200, csv.text);
  assert.equal(csv.body.records, 3);
  const red = (await listAll(coord, '&org=pq-viettel&q=203.0.113.51'))[0];
  assert.equal(red.tlp, 'RED');
  assert.equal(red.confidence, 90);
  assert.deepEqual(red.tags, ['apt', 'c2']);
  assert.equal(red.name, 'Máy chủ C2');
  assert.equal((await listAll(coord, '&org=pq-viettel&q=csv-default.example'))[0].tlp, 'CLEAR');
  assert.equal((await listAll(coord, '&org=pq-viettel&kind=sha256'))[0].tlp, 'AMBER+STRICT');
  assert.equal((await listAll(coord, '&org=pq-viettel')).length - before, 2 + 4 + 3);
});

test('a malformed file → 400/422 naming the file and position, and nothing is stored', T, async () => {
  const en = bearer(srv, 'dieuphoi', { lang: 'en' });
  const count = async () => (await listAll(coord)).length;
  const sightings = async () => (await coord.get('/api/v1/sightings?limit=1000')).body.items.length;
  const n0 = await count();
  const s0 = await sightings();
  const good = `good-${uniq('mal')}.example`;
  const stixInd = (id, pattern) => ({ type: 'indicator', spec_version: '2.1', id: `indicator--${id}`,
    created: '2026-01-01T00:00:00Z', modified: '2026-01-01T00:00:00Z', pattern, pattern_type: 'stix',
    valid_from: '2026-01-01T00:00:00Z' });
  const cases = [
    // Truncated JSON: the line and column of the end.
    ['stix', 'cat.json', `{"type":"bundle","objects":[\n{"type":"indicator",`, 400, /cat\.json.*line 2/],
    // A good indicator and then a pattern that does not parse.
    ['stix', 'bad-pattern.json', JSON.stringify({ type: 'bundle', id: 'bundle--6a6a1b2a-5d0a-4c59-9d43-4b1f7d1a9a11',
      objects: [stixInd('6a6a1b2a-5d0a-4c59-9d43-4b1f7d1a9a12', `[domain-name:value = '${good}']`),
        stixInd('6a6a1b2a-5d0a-4c59-9d43-4b1f7d1a9a13', "[ipv4-addr:value = '1.1.1.1' ")] }), 400,
    /bad-pattern\.json.*\/objects\/1.*column/],
    ['misp', 'su-kien.json', JSON.stringify({ Event: { info: 'x', Attribute: [
      { type: 'domain', value: good, to_ids: true },
      { type: 'ip-dst', value: '1.1.1', to_ids: true }] } }), 422, /su-kien\.json.*\/Event\/Attribute\/1/],
    ['misp', 'cut.json', '{"Event":{"info":"x","Attribute":[', 400, /cut\.json/],
    ['list', 'ds.txt', `${good}\n203.0.113.9\nthis is bad\n`, 422, /ds\.txt.*line 3/],
    ['list', 'nul.txt', `${good}\n\u0000\n`, 400, /nul\.txt.*line 2/],
    ['csv', 'ds.csv', `type,value,tlp\ndomain,${good},GREEN\nipv4,203.0.113.9,PURPLE\n`, 422, /ds\.csv.*line 3/],
    ['csv', 'nohead.csv', `${good},GREEN\n`, 422, /nohead\.csv.*line 1/],
    ['yara', 'bad.yar', 'rule a { condition: true }\n\nrule b {\n  strings:\n    $a = "x"\n  condition:\n    $a and nosuchthing\n}\n',
      422, /bad\.yar:?\s*(line )?7\b/],
    ['yara', 'empty.yar', '', 422, /empty\.yar/],
    // Not YARA at all: once loaded as a list, and `d://s\` crashed the loader.
    ['yara', 'url.yar', 'd://s\\\n', 422, /url\.yar/],
    ['yara', 'url2.yar', 'http://evil.example\\gate.php\n', 422, /url2\.yar/],
    // Includes are refused alike for a file that exists and one that does not.
    ['yara', 'inc1.yar', 'include "/etc/passwd"\nrule a { condition: true }\n', 422, /inc1\.yar.*include/],
    ['yara', 'inc2.yar', 'include "/nonexistent/none.yar"\nrule a { condition: true }\n', 422, /inc2\.yar.*include/],
  ];
  for (const [format, name, body, status, detail] of cases) {
    const p = assertProblem(await upload(en, format, body, `?name=${name}`), status);
    assert.match(p.detail, detail, `${format} ${name}: ${p.detail}`);
  }
  assert.equal(await count(), n0, 'nothing stored');
  assert.equal(await sightings(), s0);
  assert.equal((await listAll(coord, `&q=${good}`)).length, 0);
  // Not a format, a bad label.
  assertProblem(await upload(en, 'xml', '<x/>', '?name=a.xml'), 404);
  assertProblem(await upload(en, 'list', '192.0.2.9\n', '?name=a.txt&tlp=PURPLE'), 422, '/tlp');
  assertProblem(await upload(en, 'list', '192.0.2.9\n', '?name=a.txt&org=stttt-bth'), 422, '/org_code');
  assert.equal(await count(), n0);
});

// ---- export ----

const LABELS = ['RED', 'AMBER+STRICT', 'AMBER', 'GREEN', 'CLEAR'];
// What leaves to each recipient (the owner is pq, AMBER names pq-tamthanh).
const RULE = {
  '': ['CLEAR'],
  pq: ['AMBER+STRICT', 'AMBER', 'GREEN', 'CLEAR'],
  'pq-tamthanh': ['AMBER', 'GREEN', 'CLEAR'],
  'pq-longhai': ['GREEN', 'CLEAR'],
  'pq-vnpt': ['GREEN', 'CLEAR'],
  'stttt-bth': ['GREEN', 'CLEAR'],
  vncert: ['GREEN', 'CLEAR'],
};

// The values an export carries, whatever the format.
function exportedValues(format, text) {
  if (format === 'csv') {
    const lines = text.trim().split('\r\n');
    assert.equal(lines[0], 'type,value,tlp,confidence,valid_from,valid_until,to_ids,tags,related,name,file_name,description,source,pattern_type');
    return lines.slice(1).map((l) => l.split(',')[1]);
  }
  const j = JSON.parse(text);
  // Every MISP export checked against MISP's schema and type/category table.
  if (format === 'misp') return validateMisp(text, 'export').flatMap((e) => e.Attribute.map((a) => a.value));
  assert.equal(j.type, 'bundle');
  assert.deepEqual(stixProblems(j), [], 'the OASIS STIX 2.1 schemas');
  return (j.objects ?? []).filter((o) => o.type === 'indicator').map((o) => /'([^']*)'/.exec(o.pattern)[1]);
}

test('export: the TLP rule for every label × recipient in STIX, MISP and CSV (X-Exported, X-Withheld)', T, async () => {
  const tag = uniq('tlp');
  const value = {};
  for (const [k, tlp] of LABELS.entries()) {
    value[tlp] = `${tag}-${k}.example`;
    await create(coord, { value: value[tlp], tlp, tags: [tag],
      share_with_codes: tlp === 'AMBER' ? ['pq-tamthanh'] : [] });
  }
  // A tag that merely starts with ours is not ours.
  await create(coord, { value: `${tag}-longer.example`, tlp: 'CLEAR', tags: [`${tag}x`] });
  const types = { stix: /^application\/stix\+json/, misp: /^application\/json/, csv: /^text\/csv/ };
  for (const [to, labels] of Object.entries(RULE)) {
    for (const format of ['stix', 'misp', 'csv']) {
      const r = await coord.get(`/api/v1/indicators/export/${format}?tag=${tag}${to ? `&to=${to}` : ''}`);
      assert.equal(r.status, 200, r.text);
      assert.match(r.headers.get('content-type'), types[format]);
      assert.match(r.headers.get('content-disposition') ?? '', /^attachment; filename="/);
      const what = `${format} to ${to || '(outside)'}`;
      assert.equal(r.headers.get('x-exported'), String(labels.length), what);
      assert.equal(r.headers.get('x-withheld'), String(LABELS.length - labels.length), what);
      assert.deepEqual(exportedValues(format, r.text).sort(), labels.map((l) => value[l]).sort(), what);
      assert.ok(!r.text.includes(value.RED), `${what}: RED never leaves`);
    }
  }
  const en = bearer(srv, 'dieuphoi', { lang: 'en' });
  assertProblem(await en.get(`/api/v1/indicators/export/csv?to=khong-co`), 422, '/to');
  assertProblem(await en.get(`/api/v1/indicators/export/yara`), 404);
  assertProblem(await leader.get(`/api/v1/indicators/export/csv`), 403);
  // A commune exports what it reads: the AMBER named to it, not the strict one.
  const t = await tam.get(`/api/v1/indicators/export/csv?tag=${tag}&to=pq-tamthanh`);
  assert.equal(t.status, 200, t.text);
  assert.deepEqual(exportedValues('csv', t.text).sort(), [value.AMBER, value.GREEN, value.CLEAR].sort());
});

test('round trip: STIX, MISP and CSV exports import into a fresh server with the same kind, value, tlp, tags', T, async () => {
  const tag = uniq('rt');
  const n = seq % 250;
  const set = [
    { value: `203.0.113.${n}`, tlp: 'GREEN', tags: [tag, 'c2'] },
    { value: `100.70.${n}.0/25`, tlp: 'AMBER', tags: [tag, 'mạng'] },
    { value: `rt-${tag}.example`, tlp: 'CLEAR', tags: [tag] },
    { value: `https://rt-${tag}.example/dang-nhap?x=1`, tlp: 'AMBER+STRICT', tags: [tag, 'phishing'] },
    { value: createHash('sha256').update(tag).digest('hex'), tlp: 'GREEN', tags: [tag] },
    { value: createHash('md5').update(tag).digest('hex'), tlp: 'GREEN', tags: [tag] },
    { value: `ke-gian@rt-${tag}.example`, tlp: 'AMBER', tags: [tag] },
    { value: `2001:db8::77:${n.toString(16)}`, tlp: 'GREEN', tags: [tag] },
  ];
  const made = [];
  for (const b of set) made.push(await create(coord, b));
  const want = made.map((i) => `${i.kind} ${i.value} ${i.tlp} ${[...i.tags].sort().join(';')}`).sort();
  // A fresh server for each format, the records going to a commune there.
  for (const format of ['stix', 'misp', 'csv']) {
    const x = await coord.get(`/api/v1/indicators/export/${format}?tag=${tag}&to=pq`);
    assert.equal(x.status, 200, x.text);
    assert.equal(x.headers.get('x-exported'), String(set.length));
    const other = await startServer();
    try {
      const dst = bearer(other, 'dieuphoi');
      const r = await upload(dst, format, x.text, `?name=export.${format}&org=pq-tamthanh`);
      assert.equal(r.status, 200, `${format}: ${r.text}`);
      assert.equal(r.body.created, set.length, `${format}: ${r.text}`);
      assert.equal(r.body.unconverted, 0);
      const back = await listAll(dst, '&org=pq-tamthanh');
      const got = back.map((i) => `${i.kind} ${i.value} ${i.tlp} ${[...i.tags].sort().join(';')}`).sort();
      assert.deepEqual(got, want, format);
      // Exported again from there to its new owner, the same values leave.
      const y = await dst.get(`/api/v1/indicators/export/${format}?tag=${tag}&to=pq-tamthanh`);
      assert.equal(y.status, 200, y.text);
      assert.equal(y.headers.get('x-exported'), String(set.length));
      assert.deepEqual(exportedValues(format, y.text).sort(), exportedValues(format, x.text).sort());
    } finally {
      await other.stop();
    }
  }
});

// ---- observables ----

test('an observable matching the store: subdomain, IP in a visible CIDR, upper-case hash → matches and sightings', T, async () => {
  const d = `${uniq('obs')}.example`;
  const dom = await create(coord, { value: d, tlp: 'GREEN', name: 'tên miền C2' });
  const net = await create(coord, { value: '100.64.12.0/22', tlp: 'AMBER', share_with_codes: ['pq-tamthanh'] });
  const hash = `${process.pid.toString(16).padStart(8, '0')}${'c0ffee'.repeat(9)}${'ab'.repeat(1)}`.slice(0, 64);
  const h = await create(coord, { value: hash, tlp: 'GREEN' });
  assert.equal(h.kind, 'sha256');
  const inc = await incident(tam);

  const o1 = await observe(tam, inc.id, 'domain', `a.b.${d.toUpperCase()}`);
  assert.equal(o1.value, `a.b.${d}`);
  assert.deepEqual(o1.matches.indicators.map((i) => i.id), [dom.id]);
  assert.equal(o1.matches.indicators[0].name, 'tên miền C2');
  const o2 = await observe(tam, inc.id, 'ip', '100.64.14.200');
  assert.deepEqual(o2.matches.indicators.map((i) => [i.id, i.kind, i.value]), [[net.id, 'cidr', '100.64.12.0/22']]);
  const o3 = await observe(tam, inc.id, 'hash', hash.toUpperCase());
  assert.deepEqual(o3.matches.indicators.map((i) => i.id), [h.id]);
  // Outside the network, a look-alike domain: nothing.
  assert.deepEqual((await observe(tam, inc.id, 'ip', '100.64.16.1')).matches.indicators, []);
  assert.deepEqual((await observe(tam, inc.id, 'domain', `not${d}`)).matches.indicators, []);

  for (const [ind, obs] of [[dom, o1], [net, o2], [h, o3]]) {
    const s = await coord.get(`/api/v1/sightings?indicator=${ind.id}`);
    assert.equal(s.status, 200, s.text);
    assert.equal(s.body.items.length, 1, `${ind.value}: ${s.text}`);
    const it = s.body.items[0];
    assert.equal(it.source, 'observable');
    assert.equal(it.indicator.id, ind.id);
    assert.equal(it.incident.id, inc.id);
    assert.equal(it.incident.number, inc.number);
    assert.equal(it.org.code, 'pq-tamthanh');
    assert.equal(it.hunt, null);
    const g = (await coord.get(`/api/v1/indicators/${ind.id}`)).body;
    assert.equal(g.sightings, 1);
    assert.ok(g.last_seen_at);
    assert.equal(g.sightings_list[0].id, it.id);
    assert.ok(obs.id);
  }
  // The incident answers the same matches on each observable.
  const gi = (await tam.get(`/api/v1/incidents/${inc.id}`)).body;
  const byValue = new Map(gi.observables.map((o) => [o.value, o]));
  assert.deepEqual(byValue.get(`a.b.${d}`).matches.indicators.map((i) => i.id), [dom.id]);
  assert.deepEqual(byValue.get('100.64.14.200').matches.indicators.map((i) => i.id), [net.id]);
});

test('matches show only indicators the caller may read', T, async () => {
  const hidden = await create(coord, { value: '100.65.0.0/16', tlp: 'AMBER' });
  const inc = await incident(tam);
  const o = await observe(tam, inc.id, 'ip', '100.65.3.4');
  assert.deepEqual(o.matches.indicators, [], 'AMBER of pq not named to pq-tamthanh');
  const inc2 = await incident(coord);
  const o2 = await observe(coord, inc2.id, 'ip', '100.65.3.4');
  assert.deepEqual(o2.matches.indicators.map((i) => i.id), [hidden.id]);
});

test('sightings never reveal an indicator the caller may not read (TLP)', T, async () => {
  // An AMBER network of commune Long Hải, not shared.
  const secret = await create(coord, { value: '100.66.0.0/16', tlp: 'AMBER', org_code: 'pq-longhai',
    name: 'mạng riêng của Long Hải' });
  assertProblem(await tam.get(`/api/v1/indicators/${secret.id}`), 404);
  const inc = await incident(tam);
  const o = await observe(tam, inc.id, 'ip', '100.66.1.1');
  assert.deepEqual(o.matches.indicators, []);
  const s = await tam.get('/api/v1/sightings?limit=1000');
  assert.equal(s.status, 200, s.text);
  const leaked = s.body.items.filter((x) => x.indicator.id === secret.id);
  assert.deepEqual(leaked, [], `Tam Thanh reads the sighting of an AMBER indicator it may not read: ${JSON.stringify(leaked)}`);
  assert.ok(!s.text.includes('100.66.0.0/16'));
  assert.deepEqual((await tam.get(`/api/v1/sightings?indicator=${secret.id}`)).body.items, []);
  // The owner learns where its indicator was seen.
  const own = (await longhai.get(`/api/v1/sightings?indicator=${secret.id}`)).body.items;
  assert.equal(own.length, 1);
  assert.equal(own[0].org.code, 'pq-tamthanh');
});

test('a new indicator is matched against observables of open incidents (sightings: 1), not closed ones', T, async () => {
  const d = `${uniq('rev')}.example`;
  const open = await incident(tam);
  await observe(tam, open.id, 'domain', `cdn.${d}`);
  await observe(tam, open.id, 'email', `ke-gian@${d}`);
  const rejected = await incident(coord);
  await observe(coord, rejected.id, 'domain', `www.${d}`);
  for (const body of [{ to: 'acknowledged' }, { to: 'rejected', reason: 'Không phải sự cố' }]) {
    const mv = await move(coord, rejected.id, body);
    assert.equal(mv.status, 200, mv.text);
  }
  const ind = await create(coord, { value: d, tlp: 'GREEN' });
  assert.equal(ind.sightings, 1, 'the open incident only');
  const s = (await coord.get(`/api/v1/sightings?indicator=${ind.id}`)).body.items;
  assert.equal(s.length, 1);
  assert.equal(s[0].incident.id, open.id);
  assert.equal(s[0].source, 'observable');
  const mail = await create(coord, { value: `ke-gian@${d}` });
  assert.equal(mail.sightings, 1);
  // Saving it again does not count the same observable twice.
  const again = await coord.post('/api/v1/indicators', { value: d, tlp: 'GREEN', name: 'lại' });
  assert.equal(again.status, 200, again.text);
  assert.equal(again.body.sightings, 1);
  // An inactive one (to_ids false) matches nothing.
  const ctx = await create(coord, { value: `ke-gian2@${d}`, to_ids: false });
  await observe(tam, open.id, 'email', `ke-gian2@${d}`);
  assert.equal((await coord.get(`/api/v1/indicators/${ctx.id}`)).body.sightings, 0);
});

test('"seen before": the same observable on two incidents lists the other incident', T, async () => {
  const ip = `100.67.${seq % 250}.${(process.pid % 250) + 1}`;
  const a = await incident(tam);
  const b = await incident(tam);
  const first = await observe(tam, a.id, 'ip', ip);
  assert.deepEqual(first.matches.incidents, []);
  const second = await observe(tam, b.id, 'ip', ip);
  assert.deepEqual(second.matches.incidents.map((i) => [i.id, i.number, i.title]), [[a.id, a.number, a.title]]);
  const ga = (await tam.get(`/api/v1/incidents/${a.id}`)).body;
  assert.deepEqual(ga.observables.find((o) => o.value === ip).matches.incidents.map((i) => i.id), [b.id]);
  // Another commune's incident is not listed to Long Hải.
  const c = await incident(longhai);
  const third = await observe(longhai, c.id, 'ip', ip);
  assert.deepEqual(third.matches.incidents, []);
  // The district sees all three.
  const d = await incident(coord);
  const fourth = await observe(coord, d.id, 'ip', ip);
  assert.deepEqual(fourth.matches.incidents.map((i) => i.id).sort(), [a.id, b.id, c.id].sort());
});
