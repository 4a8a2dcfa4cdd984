// MISP as MISP expects (issue 13 item 3): every MISP export these tests make
// is validated against MISP's own JSON schema (tests/data/misp_schema, from
// PyMISP: schema-lax.json as PyMISP loads events, and the strict
// schema.json) and its type/category table (describeTypes.json); every MISP
// sample in tests/data goes through import, export, import again, and each
// property of the input must come back unchanged unless ALLOWED says why;
// two exports of an unchanged store are the same bytes.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { startServer, root } from '../lib/server.mjs';
import { bearer, report } from './helpers.mjs';
import { validate, eventsOf, DATA, SCHEMA } from './misp_schema.mjs';

const T = { timeout: 120_000 };
const json = (p) => JSON.parse(readFileSync(p, 'utf8'));

// Properties of an input that may change on the way through ungcuu, each
// with its reason. A path is matched by its form (uuids and names left out).
const ALLOWED = [
  // The TLP taxonomy is exclusive: of several tlp: tags the most restrictive
  // is kept (the import answer counts the others in misp.tlp_collapsed).
  { re: /\.Tag\[tlp:[^\]]*\]\.name$/, why: 'one tlp: tag at most (TLP taxonomy is exclusive)', when: 'collapsed' },
];

// What an export may add to an input: the fields MISP's core format
// requires that the source left out.
const FILLED = /^Event\.(distribution|publish_timestamp|published|threat_level_id|analysis|timestamp|date|info|Orgc(\.\w+)?|Attribute|Object)$|\.(distribution|deleted|to_ids|category|timestamp)$|\.Sighting$/;

let srv;
let coord;   // dieuphoi, district pq
let longhai; // pq-longhai: another organisation (reporter)
let tam;     // tamthanh: focal point of pq-tamthanh, may export

before(async () => {
  srv = await startServer();
  coord = bearer(srv, 'dieuphoi');
  longhai = bearer(srv, 'longhai');
  tam = bearer(srv, 'tamthanh');
});
after(async () => { await srv?.stop(); });

function upload(c, body) {
  return c.req('POST', '/api/v1/indicators/import/misp', body, { 'Content-Type': 'application/json' });
}

// Every leaf of an event as path -> JSON text; list elements with a uuid
// are named by it, tags by their name.
function flatten(v, path, out = new Map()) {
  if (Array.isArray(v)) {
    if (v.length === 0) out.set(path, '[]');
    v.forEach((x, i) => {
      let key = i;
      if (x && typeof x === 'object' && !Array.isArray(x))
        key = path.endsWith('.Tag') && typeof x.name === 'string' ? x.name : x.uuid ?? i;
      flatten(x, `${path}[${key}]`, out);
    });
  } else if (v && typeof v === 'object') {
    if (Object.keys(v).length === 0) out.set(path, '{}');
    for (const [k, x] of Object.entries(v)) flatten(x, `${path}.${k}`, out);
  } else {
    out.set(path, JSON.stringify(v));
  }
  return out;
}

// Compares an input event with what came out: the differences, each
// allowed with its reason, or a failure.
function compare(input, output, what, context = {}) {
  const a = flatten(input, 'Event');
  const b = flatten(output, 'Event');
  const allowed = [];
  for (const [p, v] of a) {
    if (b.get(p) === v) continue;
    const rule = ALLOWED.find((r) => r.re.test(p) && context[r.when]);
    assert.ok(rule, `${what}: ${p}: ${v} became ${b.has(p) ? b.get(p) : 'missing'}`);
    allowed.push(`${p} (${rule.why})`);
  }
  compare.checked = a.size;
  for (const p of b.keys()) {
    if (a.has(p)) continue;
    // An added leaf: a required field filled in, or the parent of one.
    const bare = p.replace(/\[[^\]]*\]/g, '');
    assert.ok(FILLED.test(bare) || FILLED.test(bare.replace(/\.\w+$/, '')), `${what}: ${p} added`);
  }
  return allowed;
}

// Every MISP sample in tests/data (an {"Event"} or {"response"} file).
function samples() {
  const out = [];
  const walk = (dir) => {
    for (const f of readdirSync(dir)) {
      const p = join(dir, f);
      if (statSync(p).isDirectory()) { walk(p); continue; }
      if (!f.endsWith('.json') || p.startsWith(SCHEMA)) continue;
      let doc;
      try { doc = json(p); } catch { continue; }
      if (doc && (doc.Event || Array.isArray(doc.response))) out.push(p);
    }
  };
  walk(DATA);
  return out.sort();
}

async function exportMisp(c, query = '?to=pq') {
  const r = await c.get(`/api/v1/indicators/export/misp${query}`);
  assert.equal(r.status, 200, r.text);
  return r.text;
}

test('every MISP sample in tests/data: import, export, import again; nothing lost or changed', T, async () => {
  const files = samples();
  assert.ok(files.length >= 4, `MISP samples found: ${files.length}`);
  for (const f of files) {
    const what = relative(root, f);
    const text = readFileSync(f);
    const r = await upload(coord, text);
    assert.equal(r.status, 200, `${what}: ${r.text}`);
    const inputs = eventsOf(JSON.parse(text));
    assert.equal(r.body.misp.events, inputs.length, `${what}: events kept`);
    const all = inputs.flatMap((e) => [...(e.Attribute ?? []), ...(e.Object ?? []).flatMap((o) => o.Attribute ?? [])]);
    assert.equal(r.body.misp.attributes, all.length, `${what}: every attribute kept (context too)`);
    const first = await exportMisp(coord);
    const events = validate(first, what);
    for (const input of inputs) {
      const out = events.find((e) => e.uuid === input.uuid);
      assert.ok(out, `${what}: event ${input.uuid} not exported`);
      const allowed = compare(input, out, what, { collapsed: r.body.misp.tlp_collapsed > 0 });
      console.log(`${what}: event ${input.uuid}: ${compare.checked} properties of the input compared, `
        + `${allowed.length} allowed differences${allowed.length ? `: ${allowed.join('; ')}` : ''}`);
    }
    // Unchanged store, same bytes.
    assert.equal(await exportMisp(coord), first, `${what}: a second export differs`);
    // Our export imports again (the same events, replaced in place) and
    // gives the same export.
    const again = await upload(coord, first);
    assert.equal(again.status, 200, `${what}: our export does not import: ${again.text}`);
    assert.equal(again.body.misp.tlp_collapsed, 0);
    assert.equal(await exportMisp(coord), first, `${what}: export after importing our export differs`);
  }
});

// An event with what the samples lack: several tlp: tags, galaxy tags of
// clusters ungcuu also knows under another name, an ip-port object, a
// deleted attribute and attribute types that are context only.
const EVENT = {
  Event: {
    uuid: '5e0c3b5a-1f00-4c9e-9d7b-6d1e0b5a0001',
    info: 'Chiến dịch thử nghiệm – nhiều nhãn TLP',
    date: '2026-11-20',
    threat_level_id: '2',
    analysis: '1',
    published: false,
    timestamp: '1795000000',
    Orgc: { uuid: '5e0c3b5a-1f00-4c9e-9d7b-6d1e0b5a0fff', name: 'VNCERT/CC' },
    Tag: [{ name: 'tlp:white' }, { name: 'tlp:green' }, { name: 'misp-galaxy:threat-actor="APT32"' }],
    Attribute: [
      { uuid: '5e0c3b5a-1f00-4c9e-9d7b-6d1e0b5a0002', type: 'domain', category: 'Network activity',
        value: 'c2-misp-tlp.example', to_ids: true, timestamp: '1795000000',
        Tag: [{ name: 'tlp:green' }, { name: 'misp-galaxy:mitre-intrusion-set="APT32 - G0050"' },
          { name: 'tlp:amber' }, { name: 'misp-galaxy:banker="Gozi"' }] },
      { uuid: '5e0c3b5a-1f00-4c9e-9d7b-6d1e0b5a0003', type: 'regkey|value', category: 'Persistence mechanism',
        value: 'HKCU\\Software\\Run|evil.exe', to_ids: false, timestamp: '1795000000' },
      { uuid: '5e0c3b5a-1f00-4c9e-9d7b-6d1e0b5a0004', type: 'text', category: 'Other',
        value: 'Ghi chú của người phân tích', to_ids: false, timestamp: '1795000000' },
      { uuid: '5e0c3b5a-1f00-4c9e-9d7b-6d1e0b5a0005', type: 'ip-dst', category: 'Network activity',
        value: '203.0.113.99', to_ids: true, deleted: true, timestamp: '1795000000' },
    ],
    Object: [{
      uuid: '5e0c3b5a-1f00-4c9e-9d7b-6d1e0b5a0010', name: 'ip-port', 'meta-category': 'network',
      description: 'An IP address and a port', template_uuid: '9f8cea74-16fe-4968-a2b4-026676949ac6',
      template_version: '7', timestamp: '1795000000', distribution: '5',
      Attribute: [
        { uuid: '5e0c3b5a-1f00-4c9e-9d7b-6d1e0b5a0011', type: 'ip-dst', category: 'Network activity',
          object_relation: 'ip', value: '198.51.100.77', to_ids: true, timestamp: '1795000000' },
        { uuid: '5e0c3b5a-1f00-4c9e-9d7b-6d1e0b5a0012', type: 'port', category: 'Network activity',
          object_relation: 'dst-port', value: '8443', to_ids: false, timestamp: '1795000000' },
      ],
    }],
  },
};

test('one tlp: tag (the strictest), galaxy tags as received, objects, context and deleted attributes kept', T, async () => {
  const r = await upload(coord, JSON.stringify(EVENT));
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.body.misp, { events: 1, objects: 1, attributes: 6, context: 4, sightings: 0, tlp_collapsed: 2 });
  const text = await exportMisp(coord);
  const ev = validate(text, 'synthetic').find((e) => e.uuid === EVENT.Event.uuid);
  assert.ok(ev);
  assert.deepEqual(ev.Tag.map((t) => t.name), ['tlp:green', 'misp-galaxy:threat-actor="APT32"']);
  const a = ev.Attribute.find((x) => x.value === 'c2-misp-tlp.example');
  assert.deepEqual(a.Tag.map((t) => t.name), ['misp-galaxy:mitre-intrusion-set="APT32 - G0050"', 'tlp:amber',
    'misp-galaxy:banker="Gozi"']);
  assert.deepEqual(ev.Attribute.map((x) => x.type), ['domain', 'regkey|value', 'text', 'ip-dst']);
  assert.equal(ev.Attribute[3].deleted, true);
  assert.equal(ev.Object.length, 1);
  assert.equal(ev.Object[0].name, 'ip-port');
  assert.deepEqual(ev.Object[0].Attribute.map((x) => `${x.object_relation}=${x.value}`), ['ip=198.51.100.77', 'dst-port=8443']);
  const allowed = compare(EVENT.Event, ev, 'synthetic', { collapsed: true });
  assert.equal(allowed.length, 2, allowed.join('\n'));
  // The deleted attribute is no indicator; the object's address is.
  const list = await coord.get('/api/v1/indicators?q=203.0.113.99');
  assert.equal(list.body.items.length, 0);
  const ip = await coord.get('/api/v1/indicators?q=198.51.100.77');
  assert.equal(ip.body.items.length, 1);

  // The TLP rule: outside the tree only CLEAR goes, and nothing of this
  // event is CLEAR (its label is GREEN now, the domain AMBER).
  const outside = JSON.parse(await exportMisp(coord, ''));
  assert.ok(!eventsOf(outside).some((e) => e.uuid === EVENT.Event.uuid));
  // Another organisation of the tree gets the GREEN part, not the AMBER domain.
  const other = validate(await exportMisp(longhai, '?to=pq-longhai'), 'longhai');
  const seen = other.find((e) => e.uuid === EVENT.Event.uuid);
  assert.ok(seen, 'GREEN context and indicators reach the tree');
  assert.ok(!seen.Attribute.some((x) => x.value === 'c2-misp-tlp.example'), 'AMBER domain leaked');

  // Deleting an indicator takes its MISP attribute with it.
  const dom = (await coord.get('/api/v1/indicators?q=c2-misp-tlp.example')).body.items[0];
  const d = await coord.del(`/api/v1/indicators/${dom.id}`, { 'If-Match': `"${dom.version}"` });
  assert.equal(d.status, 204, d.text);
  const after = validate(await exportMisp(coord), 'after delete').find((e) => e.uuid === EVENT.Event.uuid);
  assert.ok(!after.Attribute.some((x) => x.value === 'c2-misp-tlp.example'));
});

test('ungcuu\'s own event: stable uuid, Orgc the root organisation, MISP types and categories', T, async () => {
  const tag = `own${process.pid}`;
  const values = ['192.0.2.81', '2001:db8::81', 'own-event.example', 'http://own-event.example/a',
    'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855', 'da39a3ee5e6b4b0d3255bfef95601890afd80709',
    'd41d8cd98f00b204e9800998ecf8427e', 'owner@own-event.example', 'payload.exe'];
  for (const value of values) {
    const r = await coord.post('/api/v1/indicators', { value, tlp: 'GREEN', tags: [tag] });
    assert.equal(r.status, 201, r.text);
  }
  const one = await exportMisp(coord, `?to=pq&tag=${tag}`);
  const [ev] = validate(one, 'own event');
  assert.equal(ev.Attribute.length, values.length);
  assert.equal(await exportMisp(coord, `?to=pq&tag=${tag}`), one, 'a second export differs');
  const all = validate(await exportMisp(coord), 'everything');
  const own = all.filter((e) => e.uuid === ev.uuid);
  assert.equal(own.length, 1, 'the own event has one stable uuid');
  // Our export imported here again: the own event stays ours (one event
  // of that uuid, the same attributes in it; an import updates the
  // records, so their timestamps move).
  const whole = await exportMisp(coord);
  const back = await upload(coord, whole);
  assert.equal(back.status, 200, back.text);
  const uuids = (doc) => eventsOf(JSON.parse(doc)).filter((e) => e.uuid === ev.uuid).map((e) => e.Attribute.map((a) => a.uuid).sort());
  const after = uuids(await exportMisp(coord));
  assert.equal(after.length, 1, 'our own event came back as a second event');
  assert.deepEqual(after, uuids(whole));
  const later = await coord.post('/api/v1/indicators', { value: `later-${process.pid}.example`, tlp: 'GREEN' });
  assert.equal(later.status, 201, later.text);
  const withLater = uuids(await exportMisp(coord));
  assert.equal(withLater.length, 1, 'two events of one uuid');
  assert.equal(withLater[0].length, after[0].length + 1);
  assert.equal(ev.distribution, '1');          // GREEN: this community
  assert.equal(ev.publish_timestamp, '0');
  const orgs = await coord.get('/api/v1/orgs');
  if (orgs.status === 200) {
    const list = Array.isArray(orgs.body) ? orgs.body : orgs.body.items;
    const rootOrg = list.find((o) => !o.parent && !o.parent_code && !o.parent_id);
    if (rootOrg?.id) assert.equal(ev.Orgc.uuid, rootOrg.id);
  }
});

test('bad MISP files change nothing; another organisation never gets an AMBER event\'s context', T, async () => {
  const uuid = '5e0c3b5a-1f00-4c9e-9d7b-6d1e0b5a0201';
  const ev = (attrs, tags = [{ name: 'tlp:amber' }]) => JSON.stringify({ Event: { uuid, info: 'AMBER', Tag: tags, Attribute: attrs } });
  const ctx = { uuid: '5e0c3b5a-1f00-4c9e-9d7b-6d1e0b5a0202', type: 'comment', category: 'Other', value: 'chỉ nội bộ', to_ids: false };
  const bad = [
    ev([ctx, { type: 'ip-dst', category: 'Network activity', value: '1.2.3', to_ids: true }]),     // not an address
    ev([ctx], [{ name: 'tlp:amber' }, 'tlp:red']),                                                 // a tag not an object
    ev([ctx, { type: 'domain', value: 'x\u0000y.example' }]),                                      // NUL
    '{"Event":{"uuid":"' + uuid + '","Attribute":[',                                               // cut
    Buffer.concat([Buffer.from('{"Event":{"uuid":"' + uuid + '","info":"'), Buffer.from([0xc3, 0x28]), Buffer.from('"}}')]), // bad UTF-8
    ev([{ ...ctx, Tag: [{ name: 'x'.repeat(70_000) }] }]),                                          // over a bound
  ];
  for (const body of bad) {
    const r = await upload(coord, body);
    assert.ok(r.status === 400 || r.status === 422 || r.status === 413, `${r.status} ${r.text}`);
  }
  assert.ok(!eventsOf(JSON.parse(await exportMisp(coord))).some((e) => e.uuid === uuid), 'a refused file left an event');
  const ok = await upload(coord, ev([ctx]));
  assert.equal(ok.status, 200, ok.text);
  assert.equal(ok.body.misp.context, 1);
  assert.ok(eventsOf(JSON.parse(await exportMisp(coord))).some((e) => e.uuid === uuid));
  // AMBER context of pq: not read by other organisations, not sent to them.
  for (const [c, q] of [[longhai, '?to=pq-longhai'], [tam, '?to=pq-tamthanh'], [tam, ''], [coord, '?to=pq-longhai'], [coord, '']]) {
    const text = await exportMisp(c, q);
    validate(text, `export ${q}`);
    assert.ok(!eventsOf(JSON.parse(text)).some((e) => e.uuid === uuid), `AMBER event leaked (${q})`);
  }
});

test('ungcuu\'s own sightings go with the attributes, in the tree only, naming the instance, never doubled', T, async () => {
  const uuid = '5e0c3b5a-1f00-4c9e-9d7b-6d1e0b5a0301';
  const value = `seen-${process.pid}.example`;
  const mine = `seen-own-${process.pid}.example`;
  const r = await upload(coord, JSON.stringify({ Event: { uuid, info: 'Thấy trong huyện', Tag: [{ name: 'tlp:clear' }],
    Attribute: [{ uuid: '5e0c3b5a-1f00-4c9e-9d7b-6d1e0b5a0302', type: 'domain', category: 'Network activity', value, to_ids: true }] } }));
  assert.equal(r.status, 200, r.text);
  const own = await coord.post('/api/v1/indicators', { value: mine, tlp: 'CLEAR' });
  assert.equal(own.status, 201, own.text);
  const inc = await coord.post('/api/v1/incidents', report());
  assert.equal(inc.status, 201, inc.text);
  for (const v of [value, mine]) {
    const o = await coord.post(`/api/v1/incidents/${inc.body.id}/observables`, { kind: 'domain', value: v });
    assert.equal(o.status, 201, o.text);
  }
  const text = await exportMisp(coord);
  const events = validate(text, 'sightings');
  const attr = events.find((e) => e.uuid === uuid).Attribute[0];
  assert.equal(attr.Sighting?.length, 1, JSON.stringify(attr));
  const s = attr.Sighting[0];
  assert.equal(s.source, 'ungcuu');
  assert.equal(s.type, '0');
  assert.match(s.date_sighting, /^\d+$/);
  const ownAttr = events.flatMap((e) => e.Attribute).find((a) => a.value === mine);
  assert.equal(ownAttr.Sighting?.length, 1);
  assert.equal(ownAttr.Sighting[0].Organisation.uuid, s.Organisation.uuid);
  assert.equal(events.find((e) => e.Attribute.includes(ownAttr)).Orgc.uuid, s.Organisation.uuid, 'the instance, not the organisation where it was seen');
  // Another organisation that does not read where pq saw it: no sightings.
  const theirs = eventsOf(JSON.parse(await exportMisp(tam, '?to=pq-tamthanh'))).find((e) => e.uuid === uuid);
  assert.equal(theirs.Attribute[0].Sighting, undefined, 'a sighting of pq leaked to pq-tamthanh');
  // Outside the tree: the CLEAR attributes go, the sightings do not.
  const outside = eventsOf(JSON.parse(await exportMisp(coord, '')));
  assert.equal(outside.find((e) => e.uuid === uuid).Attribute[0].Sighting, undefined);
  // Our export imported again: the sighting is not doubled.
  const again = await upload(coord, text);
  assert.equal(again.status, 200, again.text);
  const back = eventsOf(JSON.parse(await exportMisp(coord))).find((e) => e.uuid === uuid).Attribute[0];
  assert.equal(back.Sighting.length, 1);
  assert.equal(await exportMisp(coord), await exportMisp(coord));
});

test('one event imported by two organisations goes out once, with what each copy lets go', T, async () => {
  const uuid = '5e0c3b5a-1f00-4c9e-9d7b-6d1e0b5a0401';
  const attr = (n, value) => ({ uuid: `5e0c3b5a-1f00-4c9e-9d7b-6d1e0b5a04${n}`, type: 'domain', category: 'Network activity', value, to_ids: true, timestamp: '1795000000' });
  const copy = (attrs) => JSON.stringify({ Event: { uuid, info: 'Hai bản', timestamp: '1795000000', Tag: [{ name: 'tlp:green' }], Attribute: attrs } });
  const a = await upload(coord, copy([attr('02', `both-${process.pid}.example`)]));
  assert.equal(a.status, 200, a.text);
  const b = await tam.req('POST', '/api/v1/indicators/import/misp', copy([attr('02', `both-${process.pid}.example`), attr('03', `tam-${process.pid}.example`)]),
    { 'Content-Type': 'application/json' });
  assert.equal(b.status, 200, b.text);
  const r = await coord.get('/api/v1/indicators/export/misp?to=pq');
  assert.equal(r.status, 200);
  const same = validate(r.text, 'two copies').filter((e) => e.uuid === uuid);
  assert.equal(same.length, 1, 'one event per uuid');
  assert.deepEqual(same[0].Attribute.map((x) => x.uuid).sort(), [attr('02').uuid, attr('03').uuid]);
  // X-Exported counts what was written, once.
  const n = eventsOf(JSON.parse(r.text)).reduce((k, e) => k + (e.Attribute?.length ?? 0)
    + (e.Object ?? []).reduce((j, o) => j + (o.Attribute?.length ?? 0), 0), 0);
  assert.equal(Number(r.headers.get('x-exported')), n);
});
