// STIX 2.1 exchange fidelity (issue 13, items 1 and 2) against real servers:
// every STIX sample of tests/data goes into one server, out as a bundle,
// into a second server and out again; every property of every object that
// came in must come out unchanged from both, unless ALLOWED names it with
// its reason. Every bundle is checked against the OASIS JSON schemas (ajv,
// tests/tools/stix-schema.mjs) and its patterns must import again (the
// second server refuses a file with one bad pattern, all or nothing). Two
// exports of an unchanged store are the same bytes but the bundle's id.
// Objects ungcuu makes keep one id (UUIDv4) and one created; modified
// moves only when they change. Indicators of two producers with one value
// are one row for matching and two objects going out. Records for context
// only (to_ids false) are counted as withheld in a STIX export.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { startServer, root } from '../lib/server.mjs';
import { bearer } from './helpers.mjs';
import { stixProblems } from '../tools/stix-schema.mjs';

const T = { timeout: 120_000 };
const DATA = join(root, 'tests', 'data');
const UUID4 = /--[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

// Every STIX sample in tests/data: the reference samples (copies of
// ../shared/fixtures/stix_taxii), ours, and the sweep's copy.
const SAMPLES = [
  ...readdirSync(join(DATA, 'ioc', 'stix')).filter((f) => f.endsWith('.json')).map((f) => join(DATA, 'ioc', 'stix', f)),
  join(DATA, 'sweep', 'indicators-for-C2-with-COA.json'),
];

// What may differ, each with its reason: [file name or '*', object id or
// type or '*', property, reason]. Empty today: nothing is dropped or
// changed. (Not differences, so not listed: older versions of an id that
// a file also carries are not kept, STIX keeps the latest, and the test
// compares with the latest; an SDO that came without spec_version, as
// medallion's Poison Ivy malware, goes out with "spec_version": "2.1"
// added, which STIX 2.1 requires.)
const ALLOWED = [];

let A, B;
before(async () => { [A, B] = await Promise.all([startServer(), startServer()]); });
after(async () => { await A?.stop(); await B?.stop(); });

function upload(c, body, query) {
  return c.req('POST', `/api/v1/indicators/import/stix${query}`, body, { 'Content-Type': 'application/json' });
}

async function exportStix(c, query) {
  const r = await c.get(`/api/v1/indicators/export/stix${query}`);
  assert.equal(r.status, 200, r.text);
  const bundle = JSON.parse(r.text);
  assert.deepEqual(stixProblems(bundle), [], `export ${query}: OASIS schema`);
  return { r, bundle, text: r.text };
}

// The objects of a STIX file as the importer reads them (a bundle, an
// array, a bare object, or "objects" lists anywhere: a TAXII server's
// data), the latest version of each id.
function inputObjects(doc) {
  const all = [];
  const walk = (v, depth) => {
    if (depth > 8 || v === null || typeof v !== 'object') return;
    if (Array.isArray(v)) { for (const x of v) walk(x, depth + 1); return; }
    for (const [k, x] of Object.entries(v)) {
      if (k === 'objects' && Array.isArray(x)) all.push(...x);
      else walk(x, depth + 1);
    }
  };
  if (Array.isArray(doc)) all.push(...doc);
  else if (doc.type === 'bundle') all.push(...doc.objects);
  else if (doc.type && doc.id) all.push(doc);
  else walk(doc, 0);
  const latest = new Map();
  const when = (o) => Date.parse(o.modified ?? o.created ?? 0) || 0;
  for (const o of all) {
    const p = latest.get(o.id);
    if (!p || when(o) >= when(p)) latest.set(o.id, o);
  }
  return latest;
}

const allowed = (file, o, prop) => ALLOWED.find(([f, what, p]) =>
  (f === '*' || f === file) && (what === '*' || what === o.id || what === o.type) && p === prop);

// Every property of every input object against the export: missing or
// changed, not allowed -> a line. An id in several files is one object in
// versions: the latest (by modified) is the one kept, as STIX versioning
// says; relationship--2f9a9aa9... is such a case (OASIS's
// indicators-for-C2-with-COA.json, modified 2017, and medallion's
// default_data.json, 2014).
function differences(samples, bundle, where) {
  const out = new Map((bundle.objects ?? []).map((o) => [o.id, o]));
  const lines = [];
  const when = (o) => Date.parse(o.modified ?? o.created ?? 0) || 0;
  const latest = new Map();
  for (const [, objects] of samples)
    for (const o of objects.values())
      if (!latest.has(o.id) || when(o) >= when(latest.get(o.id))) latest.set(o.id, o);
  for (const [file, objects] of samples)
    for (const o of objects.values()) {
      if (latest.get(o.id) !== o) continue;
      const got = out.get(o.id);
      if (!got) {
        if (!allowed(file, o, '*')) lines.push(`${where}: ${file}: ${o.id} missing`);
        continue;
      }
      for (const [k, v] of Object.entries(o)) {
        if (allowed(file, o, k)) continue;
        if (!(k in got)) lines.push(`${where}: ${file}: ${o.id}: ${k} missing`);
        else if (JSON.stringify(got[k]) !== JSON.stringify(v) &&
                 !isDeepStrictEqual(got[k], v))
          lines.push(`${where}: ${file}: ${o.id}: ${k} ${JSON.stringify(v)} became ${JSON.stringify(got[k])}`);
      }
    }
  return lines;
}

test('the outside checks refuse what is wrong: a schema break, a pattern outside the OASIS grammar', () => {
  const ind = { type: 'indicator', spec_version: '2.1', id: 'indicator--6a6a1b2a-5d0a-4c59-9d43-4b1f7d1a9a12',
    created: '2026-01-01T00:00:00.000Z', modified: '2026-01-01T00:00:00.000Z', pattern_type: 'stix',
    pattern: "[ipv4-addr:value = '192.0.2.1']", valid_from: '2026-01-01T00:00:00Z' };
  const b = (o) => ({ type: 'bundle', id: 'bundle--6a6a1b2a-5d0a-4c59-9d43-4b1f7d1a9a11', objects: [o] });
  assert.deepEqual(stixProblems(b(ind)), []);
  assert.match(stixProblems(b({ ...ind, created: '2026-01-01T00:00:00Z' })).join('\n'), /created/);
  assert.match(stixProblems(b({ ...ind, pattern: "[ipv4-addr:value = '192.0.2.1'" })).join('\n'), /pattern .*missing '\]'/);
  assert.match(stixProblems(b({ ...ind, pattern: "[ipv4-addr:value = '192.0.2.1'] junk" })).join('\n'), /pattern/);
  assert.deepEqual(stixProblems(b({ ...ind, pattern_type: 'snort', pattern: 'alert tcp any any' })), [], 'only STIX patterns');
});

const withoutBundleId = (text) => text.replace(/"bundle--[0-9a-f-]{36}"/, '"bundle--"');

let first;   // the first export of A, for the tests below

test('every STIX sample: import, export, import again, export — every property of every object kept', T, async () => {
  const a = bearer(A, 'dieuphoi');
  const b = bearer(B, 'dieuphoi');
  const samples = [];
  let unconverted = 0;
  for (const path of SAMPLES) {
    const name = path.slice(DATA.length + 1);
    const text = readFileSync(path);
    const r = await upload(a, text, `?name=${encodeURIComponent(name.replaceAll('/', '_'))}&org=pq-vhtt`);
    assert.equal(r.status, 200, `${name}: ${r.text}`);
    unconverted += r.body.unconverted;
    samples.push([name, inputObjects(JSON.parse(text))]);
  }
  const x1 = await exportStix(a, '?to=pq-vhtt');
  first = x1;
  assert.deepEqual(differences(samples, x1.bundle, 'first export'), []);

  // The second server reads every object and every pattern of it.
  const r = await upload(b, x1.text, '?name=export.json&org=pq-vhtt');
  assert.equal(r.status, 200, r.text);
  const x2 = await exportStix(b, '?to=pq-vhtt');
  assert.deepEqual(differences(samples, x2.bundle, 'second export'), []);
  assert.equal(r.body.unconverted, new Set(x1.bundle.objects.filter((o) => o.type === 'indicator' &&
    !o.revoked && /MATCHES/.test(o.pattern)).map((o) => o.id)).size, 'patterns kept as text, again');
  assert.ok(unconverted >= 2);
  // The same objects from both, by id.
  const ids = (x) => (x.bundle.objects ?? []).map((o) => o.id).sort();
  assert.deepEqual(ids(x2), ids(x1));

  // Nothing changed: the same bytes but the bundle's id, twice.
  const again = await exportStix(a, '?to=pq-vhtt');
  assert.equal(withoutBundleId(again.text), withoutBundleId(x1.text));
  const again2 = await exportStix(b, '?to=pq-vhtt');
  assert.equal(withoutBundleId(again2.text), withoutBundleId(x2.text));
});

test('full timestamp precision, unknown properties, custom objects, references and producers come back as they came', T, async () => {
  assert.ok(first, 'the round trip ran');
  const doc = JSON.parse(readFileSync(join(DATA, 'ioc', 'stix', 'ungcuu-fidelity.json'), 'utf8'));
  const by = new Map(first.bundle.objects.map((o) => [o.id, o]));
  const ind = doc.objects.filter((o) => o.type === 'indicator' && !o.revoked);
  assert.equal(ind.length, 2);
  for (const o of ind) {
    const got = by.get(o.id);
    assert.ok(got, o.id);
    assert.equal(got.created, o.created);
    assert.equal(got.modified, o.modified);
    assert.equal(got.created_by_ref, o.created_by_ref);
    assert.ok(by.get(o.created_by_ref), 'the producer identity goes with it');
  }
  const one = by.get(ind[0].id);
  assert.equal(one.created, '2026-01-02T03:04:05.123456Z');
  assert.deepEqual(one.x_acme_notes, { seen: 3, first: '2025-12-31' });
  assert.deepEqual(one.external_references[0].external_id, 'CAPEC-163');
  assert.deepEqual(one.indicator_types, ['malicious-activity', 'attribution']);
  const custom = doc.objects.find((o) => o.type.startsWith('x-'));
  assert.deepEqual(by.get(custom.id), custom);
  for (const t of ['course-of-action', 'sighting', 'attack-pattern', 'malware', 'infrastructure'])
    for (const o of doc.objects.filter((x) => x.type === t))
      assert.deepEqual(by.get(o.id), o, t);
  const revoked = doc.objects.find((o) => o.revoked);
  assert.deepEqual(by.get(revoked.id), revoked, 'a revocation is passed on');

  // Two producers, one value: one row to match, two indicators going out.
  const a = bearer(A, 'dieuphoi');
  const r = await a.get('/api/v1/indicators?org=pq-vhtt&q=198.51.100.77');
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.items.length, 1);
  assert.equal(r.body.items[0].kind, 'ipv4');
  const one1 = await a.get(`/api/v1/indicators/${r.body.items[0].id}`);
  assert.equal(one1.status, 200, one1.text);
  const idn = (ref) => doc.objects.find((o) => o.id === ref).name;
  assert.deepEqual(one1.body.stix_objects.map((o) => [o.id, o.created, o.modified, o.created_by_ref, o.producer]),
    ind.map((o) => [o.id, o.created, o.modified, o.created_by_ref, idn(o.created_by_ref)])
      .sort((x, y) => (x[0] < y[0] ? -1 : 1)), 'each producer\'s object, as it came');
});

test('objects ungcuu makes keep one id (UUIDv4) and created; modified moves only when they change', T, async () => {
  const a = bearer(A, 'dieuphoi');
  const tag = `made${process.pid}`;
  const mk = async (body) => {
    const r = await a.post('/api/v1/indicators', body);
    assert.equal(r.status, 201, r.text);
    return r.body;
  };
  const one = await mk({ value: `c2-${tag}.example`, tlp: 'AMBER', tags: [tag], related: ['malware:RatX ' + tag] });
  const get = async () => {
    const x = await exportStix(a, `?tag=${tag}&to=pq`);
    return { x, by: (type) => x.bundle.objects.filter((o) => o.type === type) };
  };
  const e1 = await get();
  const e2 = await get();
  assert.equal(withoutBundleId(e2.x.text), withoutBundleId(e1.x.text));
  const [ind] = e1.by('indicator');
  const [mal] = e1.by('malware');
  const [rel] = e1.by('relationship');
  for (const o of [ind, mal, rel]) assert.match(o.id, UUID4, `${o.type}: a UUIDv4 id`);
  assert.equal(rel.source_ref, ind.id);
  assert.equal(rel.target_ref, mal.id);

  // The indicator changes: its modified moves; the malware and the
  // relationship are the same objects, the same times.
  const p = await a.patch(`/api/v1/indicators/${one.id}`, { description: 'đổi mô tả' }, { 'If-Match': `"${one.version}"` });
  assert.equal(p.status, 200, p.text);
  const e3 = await get();
  const [ind3] = e3.by('indicator');
  assert.equal(ind3.id, ind.id);
  assert.equal(ind3.created, ind.created);
  assert.ok(ind3.modified >= ind.modified);
  assert.deepEqual(e3.by('malware'), [mal]);
  assert.deepEqual(e3.by('relationship'), [rel]);

  // A second indicator of the malware, GREEN: the malware is now known
  // under GREEN (its marking changes), so it is a new version of the same
  // object: same id and created, a later modified.
  await mk({ value: `c2b-${tag}.example`, tlp: 'GREEN', tags: [tag], related: ['malware:RatX ' + tag] });
  const e4 = await get();
  const [mal4] = e4.by('malware');
  assert.equal(mal4.id, mal.id);
  assert.equal(mal4.created, mal.created);
  assert.notDeepEqual(mal4.object_marking_refs, mal.object_marking_refs);
  assert.ok(mal4.modified > mal.modified, `${mal4.modified} after ${mal.modified}`);
  const e5 = await get();
  assert.equal(withoutBundleId(e5.x.text), withoutBundleId(e4.x.text));
});

test('to_ids false: left out of STIX but counted (X-Withheld, X-Withheld-Context); MISP carries it', T, async () => {
  const a = bearer(A, 'dieuphoi');
  const tag = `ctx${process.pid}`;
  const r = await a.post('/api/v1/indicators', { value: `ctx-${tag}.example`, tlp: 'GREEN', tags: [tag], to_ids: false });
  assert.equal(r.status, 201, r.text);
  const x = await exportStix(a, `?tag=${tag}&to=pq`);
  assert.equal(x.r.headers.get('x-exported'), '0');
  assert.equal(x.r.headers.get('x-withheld'), '1');
  assert.equal(x.r.headers.get('x-withheld-context'), '1');
  const m = await a.get(`/api/v1/indicators/export/misp?tag=${tag}&to=pq`);
  assert.equal(m.status, 200, m.text);
  assert.equal(m.headers.get('x-exported'), '1');
  assert.equal(m.headers.get('x-withheld-context'), '0');
});

test('a label changed here goes out on the objects it came as, with a later modified', T, async () => {
  const a = bearer(A, 'dieuphoi');
  const doc = JSON.parse(readFileSync(join(DATA, 'ioc', 'stix', 'indicator-for-c2-ip-address.json'), 'utf8'));
  const ind = doc.objects.find((o) => o.type === 'indicator');
  const list = await a.get('/api/v1/indicators?org=pq-vhtt&q=10.0.0.0');
  const row = list.body.items.find((i) => i.value === '10.0.0.0');
  assert.equal(row.tlp, 'AMBER', 'unmarked: the default label');
  const p = await a.patch(`/api/v1/indicators/${row.id}`, { tlp: 'GREEN' }, { 'If-Match': `"${row.version}"` });
  assert.equal(p.status, 200, p.text);
  const x = await exportStix(a, '?to=pq-vhtt');
  const got = x.bundle.objects.find((o) => o.id === ind.id);
  const GREEN = 'marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb';
  assert.deepEqual(got.object_marking_refs, [GREEN]);
  assert.ok(x.bundle.objects.some((o) => o.id === GREEN), 'with its definition');
  assert.ok(Date.parse(got.modified) > Date.parse(ind.modified));
  assert.equal(got.created, ind.created);
  assert.equal(got.pattern, ind.pattern);
});

test('a newer version of an object stands for the rows of its own pattern only', T, async () => {
  const a = bearer(A, 'dieuphoi');
  const tag = `ver${process.pid}`;
  const id = 'indicator--7d1c4a52-5a0c-4c1e-9d5e-0b8f4c7c1a01';
  const version = (modified, value) => JSON.stringify({ type: 'bundle', id: 'bundle--7d1c4a52-5a0c-4c1e-9d5e-0b8f4c7c1a02',
    objects: [{ type: 'indicator', spec_version: '2.1', id, created: '2026-02-01T00:00:00.000Z', modified,
      pattern: `[domain-name:value = '${value}']`, pattern_type: 'stix', valid_from: '2026-02-01T00:00:00Z', labels: [tag] }] });
  for (const [m, v] of [['2026-02-01T00:00:00.000Z', `v1-${tag}.example`], ['2026-02-02T00:00:00.000Z', `v2-${tag}.example`]]) {
    const r = await upload(a, version(m, v), '?name=v.json&org=pq&tlp=GREEN');
    assert.equal(r.status, 200, r.text);
  }
  const x = await exportStix(a, `?tag=${tag}&to=pq`);
  assert.equal(x.r.headers.get('x-exported'), '2');
  const ind = x.bundle.objects.filter((o) => o.type === 'indicator');
  assert.equal(ind.length, 2);
  const kept = ind.filter((o) => o.id === id);
  assert.equal(kept.length, 1);
  assert.match(kept[0].pattern, /v2-/);
  assert.equal(kept[0].modified, '2026-02-02T00:00:00.000Z');
  const made = ind.find((o) => o.id !== id);
  assert.match(made.pattern, /v1-/, 'the older value is still a row, made into its own indicator');
  assert.match(made.id, UUID4);
});

test('scope: what came with a shared indicator goes only where its own label lets it (a commune gets the GREEN indicator, not the AMBER context)', T, async () => {
  const a = bearer(A, 'dieuphoi');
  const tam = bearer(A, 'tamthanh');
  const G = 'marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb';
  const tag = `scope${process.pid}`;
  const ind = 'indicator--0f5e2a9c-3b1d-4e8a-9c2f-6a1b7d3e5f01';
  const sec = 'x-acme-secret--0f5e2a9c-3b1d-4e8a-9c2f-6a1b7d3e5f02';
  const t = '2026-03-01T00:00:00.000Z';
  const who = 'identity--0f5e2a9c-3b1d-4e8a-9c2f-6a1b7d3e5f05';
  const doc = { type: 'bundle', id: 'bundle--0f5e2a9c-3b1d-4e8a-9c2f-6a1b7d3e5f03', objects: [
    { type: 'identity', spec_version: '2.1', id: who, created: t, modified: t, name: 'Nguồn kín', identity_class: 'individual' },
    { type: 'indicator', spec_version: '2.1', id: ind, created: t, modified: t, labels: [tag], object_marking_refs: [G],
      created_by_ref: who,
      pattern: `[domain-name:value = '${tag}.example']`, pattern_type: 'stix', valid_from: t },
    { type: 'x-acme-secret', spec_version: '2.1', id: sec, created: t, modified: t, name: 'nguồn nội bộ' },
    { type: 'relationship', spec_version: '2.1', id: 'relationship--0f5e2a9c-3b1d-4e8a-9c2f-6a1b7d3e5f04', created: t, modified: t,
      relationship_type: 'related-to', source_ref: ind, target_ref: sec },
  ] };
  const r = await upload(a, JSON.stringify(doc), '?name=scope.json&org=pq-vhtt');   // unmarked: AMBER of pq-vhtt
  assert.equal(r.status, 200, r.text);
  const own = await exportStix(a, `?tag=${tag}&to=pq-vhtt`);
  assert.deepEqual((own.bundle.objects ?? []).map((o) => o.id).filter((id) => id !== G).sort(),
    doc.objects.map((o) => o.id).sort(), 'to its owner: all of it');
  for (const [who, c] of [['the district for the commune', a], ['the commune itself', tam]]) {
    const x = await exportStix(c, `?tag=${tag}&to=pq-tamthanh`);
    const ids = (x.bundle.objects ?? []).map((o) => o.id);
    assert.ok(ids.includes(ind), `${who}: the GREEN indicator`);
    assert.ok(!ids.includes(sec), `${who}: not the AMBER object of pq-vhtt`);
    assert.ok(!x.text.includes('nguồn nội bộ'), who);
    assert.ok(!ids.some((id) => id.startsWith('relationship--')), `${who}: not the AMBER relationship`);
    assert.ok(!ids.includes(doc.objects[0].id) && !x.text.includes('Nguồn kín'), `${who}: not the AMBER producer`);
  }
  // The record's page: the producer's name to who may read its identity.
  const rows = await a.get(`/api/v1/indicators?q=${tag}.example&org=pq-vhtt`);
  const rid = rows.body.items[0].id;
  const mine = await a.get(`/api/v1/indicators/${rid}`);
  assert.deepEqual(mine.body.stix_objects.map((o) => [o.id, o.producer]), [[ind, 'Nguồn kín']]);
  const theirs = await tam.get(`/api/v1/indicators/${rid}`);
  assert.equal(theirs.status, 200, theirs.text);
  assert.deepEqual(theirs.body.stix_objects.map((o) => [o.id, o.producer]), [[ind, null]]);
  // (The record's own "source" field says the producer's name under the
  // record's label, as it did before: a field of the record, not of the
  // identity object.)
});

test('what may not go stays in: outside the tree only CLEAR; a deleted indicator is not exported from its kept object, nor what points at it', T, async () => {
  const a = bearer(A, 'dieuphoi');
  // Outside the tree only CLEAR goes: the fidelity sample is GREEN.
  const out = await exportStix(a, '');
  const doc = JSON.parse(readFileSync(join(DATA, 'ioc', 'stix', 'ungcuu-fidelity.json'), 'utf8'));
  const ids = new Set((out.bundle.objects ?? []).map((o) => o.id));
  for (const o of doc.objects.filter((x) => x.id.startsWith('marking-definition--') === false))
    assert.ok(!ids.has(o.id), `${o.id} went outside the tree`);
  // Deleting the row: the indicator objects standing for it stay out, and
  // so do the relationships and the sighting pointing at them.
  const list = await a.get('/api/v1/indicators?org=pq-vhtt&q=198.51.100.77');
  const row = list.body.items[0];
  const d = await a.req('DELETE', `/api/v1/indicators/${row.id}`, undefined, { 'If-Match': `"${row.version}"` });
  assert.equal(d.status, 204, d.text);
  const after = await exportStix(a, '?to=pq-vhtt');
  const left = new Set(after.bundle.objects.map((o) => o.id));
  const gone = doc.objects.filter((o) => o.type === 'indicator' && !o.revoked).map((o) => o.id);
  for (const id of gone) assert.ok(!left.has(id), `${id} was deleted`);
  for (const o of after.bundle.objects)
    for (const k of ['source_ref', 'target_ref', 'sighting_of_ref'])
      assert.ok(!gone.includes(o[k]), `${o.id} points at a deleted indicator`);
});
