// stix-schema.mjs - checks STIX 2.1 documents against the OASIS JSON schemas
// (cti-stix2-json-schemas, draft 2020-12, copied in tests/data/stix-schemas)
// with ajv and ajv-formats (date-time, uri...): the bundle against
// bundle.json, then each object against the schema of its type (custom
// x- objects and types without a schema against core.json), for messages
// that name the object; and each STIX pattern against OASIS's pattern
// grammar (stix-pattern.mjs).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { patternProblems } from './stix-pattern.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', 'data', 'stix-schemas', 'schemas');
const BASE = 'http://raw.githubusercontent.com/oasis-open/cti-stix2-json-schemas/stix2.1/schemas/';

function files(dir) {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : f.endsWith('.json') ? [p] : [];
  });
}

let ajv;
const byType = new Map();
function load() {
  if (ajv) return;
  // strict off: the OASIS schemas use keywords of their own (e.g. "title"
  // inside allOf items with "description"), which are not errors.
  // unicodeRegExp off: their patterns escape '-' (\-), which the u flag refuses.
  ajv = new Ajv2020({ strict: false, allErrors: true, unicodeRegExp: false });
  addFormats(ajv);
  // ajv-formats has no idn-hostname (domain-name:value): a name of at most
  // 253 bytes without spaces, which is what the schema can say of it.
  ajv.addFormat('idn-hostname', (v) => Buffer.byteLength(v) <= 253 && !/\s/.test(v));
  for (const p of files(root)) {
    const s = JSON.parse(readFileSync(p, 'utf8'));
    ajv.addSchema(s);
    const rel = p.slice(root.length + 1).replaceAll('\\', '/');
    if (/^(sdos|sros|observables)\//.test(rel) || rel === 'common/marking-definition.json' ||
        rel === 'common/extension-definition.json' || rel === 'common/language-content.json')
      byType.set(s.title, s.$id);
  }
}

const say = (errs) => (errs ?? []).map((e) => `${e.instancePath || '/'} ${e.message}` +
  (e.params && Object.keys(e.params).length ? ` ${JSON.stringify(e.params)}` : ''));

// The problems of a bundle (an empty list when it is valid), each naming
// the object: "indicator--... (indicator): /valid_from must match format".
export function stixProblems(bundle) {
  load();
  const out = [];
  for (const o of bundle.objects ?? []) {
    const v = ajv.getSchema(byType.get(o.type) ?? BASE + 'common/core.json');
    if (!v(o)) out.push(...say(v.errors).map((m) => `${o.id} (${o.type}): ${m}`));
    // A STIX pattern against OASIS's grammar (stix-pattern.mjs).
    if (o.type === 'indicator' && typeof o.pattern === 'string' && (o.pattern_type ?? 'stix') === 'stix')
      out.push(...patternProblems(o.pattern).map((m) => `${o.id} (indicator): pattern ${JSON.stringify(o.pattern)}: ${m}`));
  }
  // The bundle's own schema too; its anyOf over every type says little
  // about an object, so its messages count only when the above found none.
  // Custom objects (x-...) are left out of it: its branch for them is
  // oneOf [core.json, cyber-observable-core.json], and a custom SDO passes
  // both, so none could ever pass; each was checked against core.json above.
  const vb = ajv.getSchema(BASE + 'common/bundle.json');
  const known = { ...bundle };
  if (Array.isArray(bundle.objects))
    known.objects = bundle.objects.filter((o) => !/^x-/.test(o?.type ?? ''));
  if (known.objects?.length === 0 && bundle.objects.length > 0) delete known.objects;
  if (!vb(known)) {
    const own = say(vb.errors.filter((e) => !e.instancePath.startsWith('/objects/')));
    out.push(...(own.length || out.length ? own : say(vb.errors).slice(0, 10)).map((m) => `bundle: ${m}`));
  }
  return out;
}

// The types the schemas know (for tests that want every object checked by
// its own schema).
export function stixSchemaTypes() {
  load();
  return [...byType.keys()];
}
