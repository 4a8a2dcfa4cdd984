// MISP's own checks of a MISP export, for every test that makes one
// (tests/api/misp.test.mjs, indicators.test.mjs): MISP's JSON schema
// (tests/data/misp_schema, from PyMISP: schema-lax.json as PyMISP loads
// events, and the strict schema.json) and its type/category table
// (describeTypes.json). Not a test file: node --test runs *.test.mjs only.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { root } from '../lib/server.mjs';

// ajv comes with the browser tests' packages (tests/e2e/package.json).
const require = createRequire(join(root, 'tests', 'e2e', 'package.json'));
const Ajv = require('ajv-draft-04');

export const DATA = join(root, 'tests', 'data');
export const SCHEMA = join(DATA, 'misp_schema');
const json = (p) => JSON.parse(readFileSync(p, 'utf8'));
const lax = new Ajv({ allErrors: true, strict: false }).compile(json(join(SCHEMA, 'schema-lax.json')));
const strict = new Ajv({ allErrors: true, strict: false }).compile(json(join(SCHEMA, 'schema.json')));
const describe = json(join(SCHEMA, 'describeTypes.json')).result;

// Properties MISP writes that the strict schema (format 2.4) predates: an
// export may carry them (the source sent them, or the core format has
// them), any other strict error fails.
const NEWER_THAN_STRICT = new Map([
  ['Object', 'MISP objects (core format "Object"), newer than the 2.4 strict schema'],
  ['object_relation', 'an object attribute\'s relation (core format)'],
  ['object_id', 'the source instance\'s object id of an attribute'],
  ['first_seen', 'attribute first_seen (core format), newer than the 2.4 strict schema'],
  ['last_seen', 'attribute last_seen (core format), newer than the 2.4 strict schema'],
  ['Sighting', 'attribute sightings (core format "Sighting")'],
  ['Galaxy', 'galaxies of an attribute, as the source sent them'],
  ['extends_uuid', 'event extension (MISP 2.4.80 and later), as the source sent it'],
  ['icon', 'galaxy icon, as the source sent it'],
  ['namespace', 'galaxy namespace, as the source sent it'],
  ['collection_uuid', 'galaxy cluster collection, as the source sent it'],
  ['version', 'galaxy cluster version, as the source sent it'],
  ['user_id', 'tag owner on the source instance, as the source sent it'],
  ['numerical_value', 'tag numerical value (taxonomies), as the source sent it'],
]);

export const eventsOf = (doc) => (doc.response ? doc.response.map((x) => x.Event ?? x) : [doc.Event ?? doc]);

// Checks one MISP export against the schemas and the type/category table.
export function validate(text, what) {
  const doc = JSON.parse(text);
  const events = eventsOf(doc);
  assert.ok(doc.Event || Array.isArray(doc.response), `${what}: {"Event"} or {"response": [...]}`);
  for (const ev of events) {
    const one = { Event: ev };
    assert.ok(lax(one), `${what}: ${ev.uuid}: schema-lax.json: ${JSON.stringify(lax.errors?.slice(0, 5))}`);
    if (!strict(one)) {
      for (const err of strict.errors) {
        const extra = err.params?.additionalProperty;
        assert.ok(extra && NEWER_THAN_STRICT.has(extra),
          `${what}: ${ev.uuid}: schema.json: ${err.instancePath} ${err.message} ${JSON.stringify(err.params)}`);
      }
    }
    // What the core format requires of every event and attribute.
    for (const k of ['uuid', 'info', 'date', 'timestamp', 'published', 'publish_timestamp', 'distribution',
      'threat_level_id', 'analysis'])
      assert.ok(k in ev, `${what}: ${ev.uuid}: Event.${k} missing`);
    assert.equal(typeof ev.Orgc?.uuid, 'string', `${what}: ${ev.uuid}: Orgc.uuid`);
    assert.equal(typeof ev.Orgc?.name, 'string', `${what}: ${ev.uuid}: Orgc.name`);
    assert.ok(ev.Tag === undefined || ev.Tag.filter((t) => /^tlp:/i.test(t.name)).length <= 1, `${what}: one tlp: tag`);
    const attrs = [...(ev.Attribute ?? []), ...(ev.Object ?? []).flatMap((o) => o.Attribute ?? [])];
    for (const a of attrs) {
      for (const k of ['uuid', 'type', 'category', 'value', 'to_ids', 'distribution', 'timestamp', 'deleted'])
        assert.ok(k in a, `${what}: attribute ${a.uuid}: ${k} missing`);
      assert.ok(describe.types.includes(a.type), `${what}: ${a.uuid}: type ${a.type} is not MISP's`);
      assert.ok(describe.category_type_mappings[a.category]?.includes(a.type),
        `${what}: ${a.uuid}: category "${a.category}" not allowed for type ${a.type}`);
      const tlps = (a.Tag ?? []).filter((t) => /^tlp:/i.test(t.name));
      assert.ok(tlps.length <= 1, `${what}: ${a.uuid}: ${tlps.length} tlp: tags`);
    }
    for (const o of ev.Object ?? [])
      for (const k of ['uuid', 'name', 'meta-category', 'template_uuid', 'template_version'])
        assert.ok(k in o, `${what}: object ${o.uuid}: ${k} missing`);
  }
  return events;
}

