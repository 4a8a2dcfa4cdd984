// src/api/openapi.json against the route table and the running server:
// every (method, path) of src/api/routes.c is described; the served
// document is the file; every $ref resolves; and real answers of the server
// (status codes and bodies) match what the document says, field by field.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { generateKeyPairSync, sign } from 'node:crypto';
import { join } from 'node:path';
import { startServer, root, freePort } from '../lib/server.mjs';
import { syslogConfig, udp, until } from '../lib/syslog.mjs';
import {
  test, before, after, Client, loginAs, bearer, report, newUser, raw, totpCodes, run,
} from './helpers.mjs';
import { stixProblems } from '../tools/stix-schema.mjs';

const docText = readFileSync(join(root, 'src', 'api', 'openapi.json'), 'utf8');
const doc = JSON.parse(docText);
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

// The route table of routes.c: { "METHOD", "/api/v1/…{}…", handler, … }.
function routesFromSource() {
  const src = readFileSync(join(root, 'src', 'api', 'routes.c'), 'utf8');
  const out = [];
  for (const m of src.matchAll(/\{\s*"(GET|POST|PUT|PATCH|DELETE)"\s*,\s*"(\/api\/[^"]*)"\s*,\s*(\w+)/g)) {
    out.push({ method: m[1], pattern: m[2], handler: m[3] });
  }
  return out;
}

// routes.c's {} become {id}, {sid}, {tid}, {aid} or {kind}: named after the segment before.
function templateOf(pattern) {
  const names = { 'support-requests': 'sid', tasks: 'tid', attachments: 'aid', imports: 'kind', import: 'format', export: 'format', documents: 'kind', actions: 'aid' };
  const segs = pattern.split('/');
  return segs.map((s, k) => (s === '{}' ? `{${names[segs[k - 1]] ?? 'id'}}` : s)).join('/');
}

// ---- a small JSON Schema (2020-12 subset) validator ----
function resolve(refStr) {
  assert.ok(refStr.startsWith('#/'), `only local refs: ${refStr}`);
  let node = doc;
  for (const part of refStr.slice(2).split('/')) {
    node = node?.[part.replaceAll('~1', '/').replaceAll('~0', '~')];
  }
  assert.ok(node !== undefined, `unresolved $ref ${refStr}`);
  return node;
}

function typeOf(v) {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (Number.isInteger(v)) return 'integer';
  return typeof v;
}

// Property names a schema knows (null: open, anything goes).
function knownProps(schema) {
  if (schema.$ref) return knownProps({ ...resolve(schema.$ref), ...Object.fromEntries(Object.entries(schema).filter(([k]) => k !== '$ref')) });
  if (schema.additionalProperties !== undefined && schema.additionalProperties !== false) return null;
  let set = null;
  if (schema.properties) set = new Set(Object.keys(schema.properties));
  for (const sub of schema.allOf ?? []) {
    const k = knownProps(sub);
    if (k === null) return null;
    set = new Set([...(set ?? []), ...k]);
  }
  return set;
}

// errors gets "path: message" lines. closed: objects may not carry fields the
// schema does not name (so the document lists everything the server sends).
function validate(schema, v, path, errors, closed) {
  if (schema === true || schema === undefined) return;
  if (schema === false) { errors.push(`${path}: nothing allowed`); return; }
  if (schema.$ref) {
    const rest = Object.fromEntries(Object.entries(schema).filter(([k]) => k !== '$ref'));
    validate({ ...resolve(schema.$ref), ...rest }, v, path, errors, closed);
    return;
  }
  const t = typeOf(v);
  if (schema.type !== undefined) {
    const types = [].concat(schema.type);
    const ok = types.includes(t) || (t === 'integer' && types.includes('number'));
    if (!ok) { errors.push(`${path}: type ${t}, expected ${types.join('|')}`); return; }
  }
  if ('const' in schema && JSON.stringify(schema.const) !== JSON.stringify(v)) errors.push(`${path}: not ${JSON.stringify(schema.const)}`);
  if (schema.enum && !schema.enum.some((e) => JSON.stringify(e) === JSON.stringify(v))) errors.push(`${path}: ${JSON.stringify(v)} not in enum`);
  if (t === 'string') {
    if (schema.minLength !== undefined && [...v].length < schema.minLength) errors.push(`${path}: shorter than ${schema.minLength}`);
    if (schema.maxLength !== undefined && [...v].length > schema.maxLength) errors.push(`${path}: longer than ${schema.maxLength}`);
    if (schema.pattern && !new RegExp(schema.pattern, 'u').test(v)) errors.push(`${path}: ${JSON.stringify(v)} does not match ${schema.pattern}`);
    if (schema.format === 'date-time' && !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i.test(v)) errors.push(`${path}: not a date-time: ${v}`);
    if (schema.format === 'uuid' && !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(v)) errors.push(`${path}: not a uuid: ${v}`);
  }
  if (t === 'integer' || t === 'number') {
    if (schema.minimum !== undefined && v < schema.minimum) errors.push(`${path}: below ${schema.minimum}`);
    if (schema.maximum !== undefined && v > schema.maximum) errors.push(`${path}: above ${schema.maximum}`);
  }
  if (t === 'array') {
    if (schema.minItems !== undefined && v.length < schema.minItems) errors.push(`${path}: fewer than ${schema.minItems} items`);
    if (schema.maxItems !== undefined && v.length > schema.maxItems) errors.push(`${path}: more than ${schema.maxItems} items`);
    if (schema.items) v.forEach((x, k) => validate(schema.items, x, `${path}/${k}`, errors, closed));
  }
  if (t === 'object') {
    for (const k of schema.required ?? []) if (!(k in v)) errors.push(`${path}: missing ${k}`);
    for (const [k, x] of Object.entries(v)) {
      if (schema.properties?.[k] !== undefined) validate(schema.properties[k], x, `${path}/${k}`, errors, closed);
      else if (schema.additionalProperties === false) errors.push(`${path}/${k}: not allowed`);
      else if (typeof schema.additionalProperties === 'object') validate(schema.additionalProperties, x, `${path}/${k}`, errors, closed);
    }
    if (closed && schema.additionalProperties === undefined) {
      const known = knownProps(schema);
      if (known) for (const k of Object.keys(v)) if (!known.has(k)) errors.push(`${path}/${k}: not in the document`);
    }
  }
  for (const sub of schema.allOf ?? []) {
    const own = [];
    // each branch checked open; the union of their fields is checked above
    validate(sub, v, path, own, false);
    errors.push(...own);
    if (closed) {
      // still descend closed into the branch's own properties
      const s = sub.$ref ? resolve(sub.$ref) : sub;
      if (typeOf(v) === 'object' && s.properties) {
        for (const [k, x] of Object.entries(v)) if (s.properties[k]) validate(s.properties[k], x, `${path}/${k}`, errors, true);
      }
    }
  }
  if (schema.oneOf) {
    const ok = schema.oneOf.filter((sub) => { const e = []; validate(sub, v, path, e, closed); return e.length === 0; });
    if (ok.length !== 1) {
      const detail = schema.oneOf.map((sub) => { const e = []; validate(sub, v, path, e, closed); return e.join('; '); }).join(' | ');
      errors.push(`${path}: matches ${ok.length} of oneOf (${detail})`);
    }
  }
  if (schema.anyOf && !schema.anyOf.some((sub) => { const e = []; validate(sub, v, path, e, closed); return e.length === 0; })) {
    errors.push(`${path}: matches none of anyOf`);
  }
}

function errorsOf(schema, v, closed = true) {
  const errors = [];
  validate(schema, v, '', errors, closed);
  return errors;
}

// The operation of the document that a concrete request hits.
function operationFor(method, path) {
  const bare = path.split('?')[0];
  for (const [tpl, item] of Object.entries(doc.paths)) {
    const re = new RegExp(`^${tpl.replace(/\{[^}]+\}/g, '[^/]+')}$`);
    if (re.test(bare) && item[method.toLowerCase()]) return { tpl, op: item[method.toLowerCase()] };
  }
  return null;
}

function responseOf(op, status) {
  let r = op.responses[String(status)] ?? op.responses.default;
  if (r?.$ref) r = resolve(r.$ref);
  return r;
}

// ---- the document itself ----

test('every route of routes.c is in openapi.json (and nothing else)', () => {
  const routes = routesFromSource();
  assert.ok(routes.length >= 30, `parsed ${routes.length} routes from routes.c`);
  const missing = [];
  const expected = new Set();
  for (const r of routes) {
    const tpl = templateOf(r.pattern);
    expected.add(`${r.method} ${tpl}`);
    if (!doc.paths[tpl]?.[r.method.toLowerCase()]) missing.push(`${r.method} ${tpl} (${r.handler})`);
  }
  assert.deepEqual(missing, [], 'routes without a description');
  const extra = [];
  for (const [tpl, item] of Object.entries(doc.paths)) {
    for (const m of METHODS) if (item[m] && !expected.has(`${m.toUpperCase()} ${tpl}`)) extra.push(`${m.toUpperCase()} ${tpl}`);
  }
  assert.deepEqual(extra, [], 'described operations that the server does not route');
});

test('the document is OpenAPI 3.1 and well-formed: refs resolve, path parameters declared, ids unique', () => {
  assert.match(doc.openapi, /^3\.1\.\d+$/);
  assert.equal(typeof doc.info.title, 'string');
  assert.equal(typeof doc.info.version, 'string');
  const refs = [];
  (function walk(n) {
    if (Array.isArray(n)) n.forEach(walk);
    else if (n && typeof n === 'object') {
      if (typeof n.$ref === 'string') refs.push(n.$ref);
      Object.values(n).forEach(walk);
    }
  }(doc));
  assert.ok(refs.length > 50);
  for (const r of refs) resolve(r);
  const ids = new Set();
  for (const [tpl, item] of Object.entries(doc.paths)) {
    const inPath = [...tpl.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
    for (const m of METHODS) {
      const op = item[m];
      if (!op) continue;
      assert.equal(typeof op.operationId, 'string', `${m} ${tpl}: operationId`);
      assert.ok(!ids.has(op.operationId), `duplicate operationId ${op.operationId}`);
      ids.add(op.operationId);
      const params = [...(item.parameters ?? []), ...(op.parameters ?? [])].map((x) => (x.$ref ? resolve(x.$ref) : x));
      const declared = params.filter((x) => x.in === 'path').map((x) => x.name);
      assert.deepEqual([...declared].sort(), [...inPath].sort(), `${m} ${tpl}: path parameters`);
      for (const x of params.filter((y) => y.in === 'path')) assert.equal(x.required, true);
      const codes = Object.keys(op.responses);
      assert.ok(codes.some((c) => /^2\d\d$/.test(c)), `${m} ${tpl}: a success response`);
      for (const c of codes.filter((c) => /^[45]\d\d$/.test(c))) {
        const resp = responseOf(op, c);
        assert.ok(resp.content?.['application/problem+json'], `${m} ${tpl} ${c}: problem+json`);
      }
      if (['post', 'patch', 'put'].includes(m) && op.requestBody) {
        assert.ok(op.requestBody.content, `${m} ${tpl}: request body content`);
      }
      const sec = op.security ?? doc.security;
      assert.ok(Array.isArray(sec));
    }
  }
  const s = doc.components.securitySchemes;
  assert.equal(s.bearerAuth.type, 'http');
  assert.equal(s.bearerAuth.scheme, 'bearer');
  assert.equal(s.cookieAuth.type, 'apiKey');
  assert.equal(s.cookieAuth.in, 'cookie');
  assert.equal(s.cookieAuth.name, 'ungcuu_session');
  // no login needed exactly where routes.c says AUTH_NONE; a login (token or
  // cookie) where it says AUTH_USER; an enrolled agent's key and signature
  // headers, and nothing else, where it says AUTH_AGENT
  const src = readFileSync(join(root, 'src', 'api', 'routes.c'), 'utf8');
  for (const m of src.matchAll(/\{\s*"(\w+)"\s*,\s*"([^"]+)"\s*,\s*\w+\s*,\s*(AUTH_\w+)/g)) {
    const op = doc.paths[templateOf(m[2])][m[1].toLowerCase()];
    const open = Array.isArray(op.security) && op.security.length === 0;
    assert.equal(open, m[3] === 'AUTH_NONE', `${m[1]} ${m[2]}: security matches ${m[3]}`);
    const schemes = (op.security ?? doc.security).flatMap((req) => Object.keys(req)).sort();
    if (m[3] === 'AUTH_USER') assert.deepEqual(schemes, ['bearerAuth', 'cookieAuth'], `${m[1]} ${m[2]}: ${m[3]}`);
    if (m[3] === 'AUTH_AGENT') {
      assert.deepEqual(op.security, [{ agentKey: [], agentSignature: [] }], `${m[1]} ${m[2]}: ${m[3]}`);
      assert.deepEqual([s.agentKey, s.agentSignature].map((x) => [x.type, x.in, x.name]),
        [['apiKey', 'header', 'X-Agent-Key'], ['apiKey', 'header', 'X-Agent-Signature']]);
    }
    if (m[3] === 'AUTH_PEER') {
      assert.deepEqual(op.security, [{ syncInstance: [], syncTime: [], syncSignature: [] }], `${m[1]} ${m[2]}: ${m[3]}`);
      assert.deepEqual([s.syncInstance, s.syncTime, s.syncSignature].map((x) => [x.type, x.in, x.name]),
        [['apiKey', 'header', 'X-Sync-Instance'], ['apiKey', 'header', 'X-Sync-Time'], ['apiKey', 'header', 'X-Sync-Signature']]);
    }
  }
  const p = doc.components.schemas.Problem;
  for (const k of ['type', 'status', 'title', 'detail']) assert.ok(p.required.includes(k));
  assert.ok(p.properties.errors);
});

test('the enumerations of the document are those of the server (GET /api/v1/meta)', async () => {
  const s = await startServer({ demo: false });
  try {
    const m = (await raw(s.url, 'GET', '/api/v1/meta')).body;
    const en = (n) => doc.components.schemas[n].enum;
    assert.deepEqual(en('State'), m.states.map((x) => x.code));
    assert.deepEqual(en('IncidentType'), m.incident_types.map((x) => x.code));
    assert.deepEqual(en('Severity'), m.severities.map((x) => x.code));
    assert.deepEqual(en('DeadlineKind'), m.deadline_kinds.map((x) => x.code));
    assert.deepEqual(en('ReportKind'), m.report_kinds.map((x) => x.code));
    assert.deepEqual(en('ObservableKind'), m.observable_kinds.map((x) => x.code));
    assert.deepEqual(en('Tlp'), m.tlp);
    assert.deepEqual(en('Role'), m.roles);
    assert.deepEqual(en('OrgKind'), m.org_kinds);
  } finally {
    await s.stop();
  }
});

test('request schemas agree with the server on what is valid', () => {
  const create = doc.components.schemas.IncidentCreate;
  const good = report({
    org_code: 'pq-tamthanh', reporter: { name: 'A', phone: '1' }, system: { name: 's', level: 2, domains: ['a.vn'] },
    detection_method: { kind: 'ids' }, notified: ['isp'], details: { services: ['web'] }, confidential: true, tlp: 'RED',
    handling_status: 'handled', support_needed: 'x',
  });
  assert.deepEqual(errorsOf(create, good), []);
  for (const bad of [
    { ...good, foo: 1 }, { ...good, title: 5 }, { ...good, type: 'virus' }, { ...good, system: { level: 6 } },
    { ...good, system: { level: '2' } }, { ...good, system: { x: 1 } }, { ...good, confidential: 'yes' },
    { ...good, notified: ['tv'] }, { ...good, title: '' }, (() => { const b = { ...good }; delete b.type; return b; })(),
  ]) {
    assert.notDeepEqual(errorsOf(create, bad), [], `should be invalid: ${JSON.stringify(bad).slice(0, 120)}`);
  }
  const tr = doc.components.schemas.TransitionRequest;
  assert.deepEqual(errorsOf(tr, { to: 'closed', closing_report: { summary: 'x' } }), []);
  assert.notDeepEqual(errorsOf(tr, { to: 'closed', closing_report: {} }), []);
  assert.notDeepEqual(errorsOf(tr, { to: 'nowhere' }), []);
  assert.notDeepEqual(errorsOf(doc.components.schemas.ObservableCreate, { kind: 'ip' }), []);
  assert.deepEqual(errorsOf(doc.components.schemas.UserCreate, { username: 'ab', password: 'mat-khau-dai', org_code: 'pq', roles: ['reporter'] }), []);
  assert.notDeepEqual(errorsOf(doc.components.schemas.UserCreate, { username: 'ab', password: '12345678', org_code: 'pq', roles: ['reporter'] }), []);
});

// ---- the served document and real answers ----

let server;
let syslogPort;   // h/syslog: alerts come from lines sent to the server's listener
before(async () => {
  syslogPort = await freePort();
  server = await startServer({ args: ['--config', syslogConfig(syslogPort, { sources: [['127.0.0.1', 'pq-tamthanh']] })] });
});
after(async () => { await server?.stop(); });

test('GET /api/v1/openapi.json serves exactly the file, without login, with every route of routes.c', async () => {
  const r = await fetch(`${server.url}/api/v1/openapi.json`);
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type'), /^application\/json/);
  const text = await r.text();
  const served = JSON.parse(text);
  const missing = routesFromSource().map((x) => [x.method.toLowerCase(), templateOf(x.pattern)])
    .filter(([m, tpl]) => !served.paths?.[tpl]?.[m]).map(([m, tpl]) => `${m.toUpperCase()} ${tpl}`);
  assert.deepEqual(missing, [], 'routes missing from the served document');
  assert.deepEqual(served, doc, 'the served document is src/api/openapi.json (rebuild with ninja -C build)');
  assert.equal(text, docText);
});

test('real answers match the document: status codes listed, bodies valid, no undocumented fields', { timeout: 180_000 }, async () => {
  const seen = [];
  const problems = [];
  // A client whose every answer is checked against the document.
  const check = (c) => {
    const orig = c.req.bind(c);
    c.req = async (method, path, body, headers) => {
      const r = await orig(method, path, body, headers);
      const found = operationFor(method, path);
      if (!found) { problems.push(`${method} ${path}: no operation`); return r; }
      const resp = responseOf(found.op, r.status);
      seen.push(`${method} ${found.tpl} ${r.status}`);
      if (!resp) { problems.push(`${method} ${found.tpl}: status ${r.status} not documented (${r.text.slice(0, 160)})`); return r; }
      const ctype = (r.headers.get('content-type') ?? '').split(';')[0];
      if (r.status === 204) return r;
      const media = resp.content?.[ctype];
      if (!media) { problems.push(`${method} ${found.tpl} ${r.status}: content type ${ctype} not documented`); return r; }
      if (media.schema && r.body !== null) {
        const errs = errorsOf(media.schema, r.body);
        if (errs.length) problems.push(`${method} ${found.tpl} ${r.status}: ${errs.slice(0, 5).join('; ')}`);
      }
      for (const h of Object.keys(resp.headers ?? {})) {
        if (h.toLowerCase() !== 'set-cookie' && /^2/.test(String(r.status)) && !r.headers.get(h)) problems.push(`${method} ${found.tpl} ${r.status}: header ${h} missing`);
      }
      return r;
    };
    return c;
  };
  const anon = check(new Client(server.url));
  await anon.get('/api/v1/health');
  await anon.get('/api/v1/meta');
  await anon.get('/api/v1/incidents');                                   // 401
  const coord = check(await loginAs(server, 'dieuphoi'));
  const tam = check(await loginAs(server, 'tamthanh'));
  const tinh = check(await loginAs(server, 'tinh'));
  const admin = check(await loginAs(server, 'admin'));
  const lead = check(await loginAs(server, 'lanhdao'));
  const tok = check(bearer(server, 'dieuphoi'));
  await coord.get('/api/v1/session');
  await coord.get('/api/v1/orgs');
  await coord.get('/api/v1/users');
  await coord.get('/api/v1/contacts');
  await coord.get('/api/v1/deadlines');
  await coord.get('/api/v1/deadlines?overdue=true');
  await coord.get('/api/v1/stats');
  await lead.get('/api/v1/stats');
  // incidents: every state of the demo, full reads
  const list = await coord.get('/api/v1/incidents?limit=200');
  for (const it of list.body.items) await coord.get(`/api/v1/incidents/${it.id}`);
  await coord.get('/api/v1/incidents?limit=2');
  await coord.get('/api/v1/incidents?limit=0');                          // 422
  const full = {
    reporter: { name: 'A', address: 'B', phone: '1', email: 'a@b.vn' }, contact: { name: 'C', position: 'D' },
    system: { name: 's', operator: 'o', owner: 'w', level: 2, domains: ['a.vn'], ips: ['203.0.113.1'], security_provider: 'x', connectivity_provider: 'y' },
    detection_method: { kind: 'other', detail: 'd' }, notified: ['isp'], handling_status: 'handled',
    details: { os: 'Linux', services: ['web', 'other'], services_other: 'ftp', measures: ['ids'], measures_other: '', public_ips: ['203.0.113.1'], domains: ['a.vn'], purpose: 'p' },
    confidential: true, support_needed: 'help',
  };
  const i = (await tam.post('/api/v1/incidents', report(full))).body;
  await tam.post('/api/v1/incidents', report({ type: 'virus' }));         // 422
  await tam.post('/api/v1/incidents', '{"title":');                      // 400
  await tam.post('/api/v1/incidents', 'x', { 'Content-Type': 'text/plain' }); // 415
  await lead.post('/api/v1/incidents', report());                        // 403
  await anon.post('/api/v1/session', { username: 'tamthanh', password: 'x'.repeat(17 * 1024) }); // 413
  const base = `/api/v1/incidents/${i.id}`;
  await tam.patch(base, { title: 'Sửa' });                               // 428
  await tam.patch(base, { title: 'Sửa' }, { 'If-Match': '"9"' });        // 412
  await tam.patch(base, { title: 'Sửa', system: null }, { 'If-Match': '"1"' });
  await coord.post(`${base}/transitions`, { to: 'verified' }, { 'If-Match': '"2"' }); // 409
  await coord.post(`${base}/transitions`, { to: 'acknowledged' }, { 'If-Match': '"2"' });
  await coord.post(`${base}/support-requests`, { summary: 'Hỗ trợ', urgency: 'high', help_needed: 'x', due_at: new Date(Date.now() + 3600_000).toISOString() });
  const sr = (await coord.get(base)).body.support_requests[0];
  await coord.post(`${base}/support-requests/${sr.id}/transitions`, { to: 'accepted' }); // 403
  await tinh.post(`${base}/support-requests/${sr.id}/transitions`, { to: 'accepted', note: 'ok' });
  await tinh.post(`${base}/support-requests/${sr.id}/transitions`, { to: 'accepted' }); // 409
  await coord.post(`${base}/transitions`, { to: 'verified', note: 'n' }, { 'If-Match': '"3"' });
  await coord.post(`${base}/reports`, { kind: 'notification', recipient: 'VNCERT/CC', channel: 'email', reference: 'r', body: 'b' });
  await coord.post(`${base}/transitions`, { to: 'classified', severity: 'high', serious: true, type: 'malware' }, { 'If-Match': '"4"' });
  const me = (await coord.get('/api/v1/session')).body.user;
  const task = (await coord.post(`${base}/tasks`, { title: 'Việc', assignee_id: me.id, due_at: new Date(Date.now() + 3600_000).toISOString() })).body;
  await coord.patch(`${base}/tasks/${task.id}`, { done: true });
  await coord.post(`${base}/observables`, { kind: 'ip', value: '203.0.113.9', tlp: 'GREEN', note: 'n' });
  await coord.post(`${base}/observables`, { kind: 'ip', value: '999.0.0.1' }); // 422
  await coord.post(`${base}/comments`, { body: 'Bình luận' });
  await coord.post(`${base}/assignees`, { user_id: me.id });
  const att = await coord.post(`${base}/attachments`, 'dữ liệu', { 'Content-Type': 'text/plain', 'X-Filename': encodeURIComponent('tệp.txt') });
  await coord.get(`${base}/attachments/01900000-0000-7000-8000-000000000000`); // 404
  for (const to of ['containing', 'eradicating', 'recovering', 'reviewing']) {
    const v = (await coord.get(base)).body.version;
    await coord.post(`${base}/transitions`, { to }, { 'If-Match': `"${v}"` });
  }
  const v = (await coord.get(base)).body.version;
  await coord.post(`${base}/transitions`, { to: 'closed', closing_report: { summary: 's', cause: 'c', resolution: 'r', proposals: 'p', damage: 'd' } }, { 'If-Match': `"${v}"` });
  await coord.get(base);
  await coord.get(`${base}/attachments/${att.body.id}`);
  await coord.get(`${base}/documents/mau04`);
  await coord.get(`${base}/documents/mau03?format=docx`);
  await coord.get(`${base}/documents/mau05`);                           // 404
  await coord.get(`${base}/documents/mau03?format=odt`);                // 422
  await tok.post('/api/v1/incidents', report({ org_code: 'pq-vnpt' }));
  // directory
  await admin.post('/api/v1/orgs', { code: 'pq-thu', name: 'Thử', kind: 'agency', parent_code: 'pq', address: 'a', response_team: false });
  await admin.post('/api/v1/orgs', { code: 'pq-thu', name: 'Thử', kind: 'agency', parent_code: 'pq' }); // 409
  await coord.post('/api/v1/orgs', { code: 'pq-thu2', name: 'Thử', kind: 'agency', parent_code: 'pq' }); // 403
  const nu = await newUser(admin, { org_code: 'pq-thu', roles: ['reporter', 'focal'] });
  await admin.post(`/api/v1/users/${nu.user.id}/disable`);
  const contact = await coord.post('/api/v1/contacts', { org_code: 'pq-thu', name: 'Trực', phone: '1', email: 'e', network_role: 'r', on_duty: true });
  await coord.patch(`/api/v1/contacts/${contact.body.id}`, { on_duty: false });
  // registry: systems and hosts
  const sys = (await tam.post('/api/v1/systems', { name: 'Cổng thông tin xã', purpose: 'Dịch vụ công', owner: 'UBND xã', operator: 'Văn phòng', contractor: 'VNPT', level: 2, approval_decision: 'QĐ 12/2026', info_type: 'public', function: 'citizen_facing', user_count: 500, next_check_at: new Date(Date.now() + 86400_000).toISOString() })).body;
  await tam.post('/api/v1/systems', { name: 'Cấp độ sai', level: 9 });   // 422
  await lead.post('/api/v1/systems', { name: 'Không được' });               // 403
  await tam.get('/api/v1/systems?org=pq-tamthanh');
  await tam.get(`/api/v1/systems/${sys.id}`);
  await tam.get('/api/v1/systems/01900000-0000-7000-8000-000000000000');    // 404
  await tam.patch(`/api/v1/systems/${sys.id}`, { level: null });            // 428
  await tam.patch(`/api/v1/systems/${sys.id}`, { level: null }, { 'If-Match': '"9"' }); // 412
  await tam.patch(`/api/v1/systems/${sys.id}`, { level: null, user_count: 600, info_type: null }, { 'If-Match': '"1"' });
  await tam.post('/api/v1/systems', { name: 'Tối thiểu' });
  const srv = (await tam.post('/api/v1/hosts', { hostname: 'may-chu-01', addresses: ['203.0.113.10'], role: 'web', system_id: sys.id, os_name: 'Debian 12' })).body;
  await tam.get(`/api/v1/hosts?org=pq-tamthanh&system=${sys.id}`);
  await tam.patch(`/api/v1/hosts/${srv.id}`, { role: 'db', addresses: ['203.0.113.11'] }, { 'If-Match': '"1"' });
  // an agent: enrolled key, signed inventory
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const agentKey = Buffer.from(publicKey.export({ format: 'jwk' }).x, 'base64url').toString('hex');
  const pc = (await tam.post('/api/v1/agents/enroll', { hostname: 'pc-ketoan-01', public_key: agentKey })).body;
  await tam.post('/api/v1/agents/enroll', { hostname: 'pc-ketoan-02', public_key: 'KHÓA' }); // 422
  const inv = JSON.stringify({ schema: 'ungcuu-inventory/1', hostname: 'pc-ketoan-01', collected_at: new Date().toISOString(), sequence: 1,
    os: { family: 'linux', id: 'debian', version_id: '12', pretty_name: 'Debian GNU/Linux 12 (bookworm)', kernel: '6.1.0-28-amd64' },
    packages: [{ ecosystem: 'dpkg', name: 'bash', version: '5.2.15-2+b2', arch: 'amd64', source: 'bash', source_version: '5.2.15-2' }],
    services: [{ proto: 'tcp', address: '0.0.0.0', port: 22, process: 'sshd' }], addresses: ['192.0.2.7'] });
  const signed = (body) => ({ 'X-Agent-Key': agentKey, 'X-Agent-Signature': sign(null, Buffer.from(body), privateKey).toString('hex') });
  await anon.post('/api/v1/agents/inventory', inv, signed(inv));
  await anon.post('/api/v1/agents/inventory', inv, { ...signed(inv), 'X-Agent-Signature': 'ab'.repeat(64) }); // 401
  // federation (issue 16): a caller that is no registered peer is refused
  // from the headers (tests/api/sync.test.mjs signs real ones)
  const stranger = { 'X-Sync-Instance': 'ab'.repeat(32), 'X-Sync-Time': String(Date.now()), 'X-Sync-Signature': 'ab'.repeat(64) };
  await anon.post('/api/v1/sync/push', { envelopes: [] }, stranger);    // 401
  await anon.post('/api/v1/sync/pull', { after: 0 }, stranger);         // 401
  await anon.post('/api/v1/sync/ack', { seq: 0 }, stranger);            // 401
  const replayed = inv.replace(/"collected_at":"[^"]+"/, '"collected_at":"2020-01-01T00:00:00Z"');
  await anon.post('/api/v1/agents/inventory', replayed, signed(replayed));  // 422
  await anon.post('/api/v1/agents/inventory', inv, signed(inv));            // 409 (sequence used)
  await tam.post('/api/v1/agents/enroll', { hostname: 'pc-ketoan-03', public_key: agentKey }); // 409 (key in use)
  // feeds, scanner reports, a Windows inventory
  const bin = { 'Content-Type': 'application/octet-stream' };
  const osv = (fixed) => JSON.stringify({ schema_version: '1.3.0', id: 'UNGCUU-OA-0001', modified: '2026-11-01T00:00:00Z', published: '2026-11-01T00:00:00Z',
    aliases: ['CVE-2099-0101'], summary: 'Test advisory against bash', database_specific: { severity: 'HIGH' },
    affected: [{ package: { ecosystem: 'Debian:12', name: 'bash' }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed }] }] }] });
  await coord.post('/api/v1/imports/osv?name=oa-osv.json', osv('99:1'), bin);
  await coord.post('/api/v1/imports/osv?name=oa-osv.json', osv('99:1').slice(0, 60), bin); // 400
  await coord.post('/api/v1/imports/osv', '{"schema_version":"1.3.0"}', bin);              // 422
  await coord.post('/api/v1/imports/kev?name=kev.json', JSON.stringify({ title: 'CISA KEV', catalogVersion: '2026.11.24', dateReleased: '2026-11-24T00:00:00.000Z', count: 1,
    vulnerabilities: [{ cveID: 'CVE-2099-0101', vendorProject: 'GNU', product: 'Bash', vulnerabilityName: 'test', dateAdded: '2026-11-20',
      shortDescription: 'test', requiredAction: 'Apply updates.', dueDate: '2026-12-11', knownRansomwareCampaignUse: 'Unknown', notes: '', cwes: [] }] }), bin);
  await tam.post('/api/v1/imports/kev', '{}', bin);                          // 403
  await coord.post('/api/v1/imports/rpm', 'x', bin);                         // 404
  await tam.post('/api/v1/imports/nmap?org=pq-tamthanh&name=scan.xml', readFileSync(join(root, 'tests/data/scans/nmap_script_vulners.xml')), bin);
  await tam.post('/api/v1/imports/openvas?name=openvas.xml', readFileSync(join(root, 'tests/data/scans/one_vuln.xml')), bin);
  await tam.post('/api/v1/imports/windows-inventory?name=collect.json', readFileSync(join(root, 'tests/data/inventory/windows/windows-sample.json')), bin);
  // findings and advisories
  await tam.post('/api/v1/findings/match');
  await tam.get('/api/v1/findings?org=pq-tamthanh&status=open&kev=true&limit=50');
  await tam.get('/api/v1/findings?severity=urgent');                         // 422
  const fnd = (await tam.get(`/api/v1/findings?host=${pc.id}&vuln=UNGCUU-OA-0001`)).body.items[0];
  await tam.patch(`/api/v1/findings/${fnd.id}`, { status: 'accepted' }, { 'If-Match': `"${fnd.version}"` }); // 422
  await tam.patch(`/api/v1/findings/${fnd.id}`, { status: 'accepted', reason: 'Máy cô lập, chờ bản vá', accepted_until: '2027-01-01T00:00:00Z' }, { 'If-Match': `"${fnd.version}"` });
  await tam.get(`/api/v1/hosts/${pc.id}`);
  await tam.get('/api/v1/vulns/UNGCUU-OA-0001');
  await tam.get('/api/v1/vulns/CVE-1999-0000');                              // 404
  // warnings (while the finding is accepted, the package still makes the host affected)
  const deadline = new Date(Date.now() + 7 * 86400_000).toISOString();
  const w = (await coord.post('/api/v1/warnings', { title: 'Cảnh báo lỗ hổng bash', body: 'Cập nhật ngay.', source: 'Sở TT&TT', reference: 'CV 123',
    cves: ['CVE-2099-0101'], products: ['bash'], severity: 'high', deadline, target_org_codes: ['pq-tamthanh', 'pq-longhai'] })).body;
  await tam.post('/api/v1/warnings', { title: 'Không được', severity: 'low', deadline, target_org_codes: ['pq-tamthanh'] }); // 403
  await coord.post('/api/v1/warnings', { title: 'Thiếu', severity: 'urgent', deadline, target_org_codes: [] });           // 422
  await tam.get('/api/v1/warnings');
  await coord.get(`/api/v1/warnings/${w.id}`);
  await tam.post(`/api/v1/warnings/${w.id}/acknowledge`);
  await tam.post(`/api/v1/warnings/${w.id}/fixed`, { note: 'Đã cập nhật bash' });
  await coord.post(`/api/v1/warnings/${w.id}/acknowledge`, {});              // 409: pq is not a target
  // h/fed-kinds: withdrawn by the issuer, with a reason
  await coord.post(`/api/v1/warnings/${w.id}/withdraw`, {});                  // 422: no reason
  await tam.post(`/api/v1/warnings/${w.id}/withdraw`, { reason: 'Không' });   // 403
  await coord.post(`/api/v1/warnings/${w.id}/withdraw`, { reason: 'Hãng đã rút lại khuyến cáo' });
  await coord.post(`/api/v1/warnings/${w.id}/withdraw`, { reason: 'Lần nữa' }); // 409
  await coord.get(`/api/v1/warnings/${w.id}`);
  await tam.get('/api/v1/warnings');
  // a newer advisory closes the finding: it can no longer be accepted
  await coord.post('/api/v1/imports/osv?name=oa-osv.json', osv('0.1'), bin);
  const fixed = (await tam.get(`/api/v1/findings?host=${pc.id}&status=fixed`)).body.items[0];
  await tam.patch(`/api/v1/findings/${fixed.id}`, { status: 'open' }, { 'If-Match': `"${fixed.version}"` }); // 409
  // indicators, exchange, observables that match, hunts, the agent's side
  const ind = (await coord.post('/api/v1/indicators', { value: 'c2.example.net', tlp: 'GREEN', name: 'C2', tags: ['apt-oa'],
    confidence: 80, related: ['malware:PlugX'], valid_until: '2099-01-01T00:00:00Z', description: 'd', source: 's' })).body;
  await coord.post('/api/v1/indicators', { value: 'c2.example.net', tlp: 'GREEN', tags: ['apt-oa'] });     // 200: the same one
  await coord.post('/api/v1/indicators', { kind: 'ipv4', value: '1.2.3' });                                 // 422
  await lead.post('/api/v1/indicators', { value: '198.51.100.1' });                                          // 403
  await coord.get('/api/v1/indicators?q=c2&kind=domain&tlp=GREEN&tag=apt-oa&active=true&limit=5');
  await tam.get(`/api/v1/indicators/${ind.id}`);
  await tam.patch(`/api/v1/indicators/${ind.id}`, { name: 'x' }, { 'If-Match': '"2"' });                  // 403: shared, not ours
  await coord.patch(`/api/v1/indicators/${ind.id}`, { name: 'C2 server' });                                // 428
  await coord.patch(`/api/v1/indicators/${ind.id}`, { name: 'C2 server' }, { 'If-Match': '"9"' });         // 412
  await coord.patch(`/api/v1/indicators/${ind.id}`, { name: 'C2 server' }, { 'If-Match': '"2"' });
  const gone = (await coord.post('/api/v1/indicators', { value: '198.51.100.77', tlp: 'AMBER' })).body;
  await coord.del(`/api/v1/indicators/${gone.id}`, { 'If-Match': '"1"' });
  await coord.get(`/api/v1/indicators/${gone.id}`);                                                         // 404
  await coord.post('/api/v1/indicators/import/stix?name=c2.json&tlp=GREEN', readFileSync(join(root, 'tests/data/ioc/stix/indicator-for-c2-ip-address.json')), bin);
  await coord.post('/api/v1/indicators/import/stix?name=bad.json', '{"type": "bundle", "objects": [', bin); // 400
  await coord.post('/api/v1/indicators/import/yara?name=bad.yar', 'rule bad { condition: $x }', bin);       // 422
  await coord.post('/api/v1/indicators/import/pdf', 'x', bin);                                              // 404
  const sx = await coord.get('/api/v1/indicators/export/stix?to=pq-tamthanh');
  assert.deepEqual(stixProblems(JSON.parse(sx.text)), [], 'the OASIS STIX 2.1 schemas');
  await coord.get('/api/v1/indicators/export/csv?active=true');
  await tam.post(`/api/v1/incidents/${i.id}/observables`, { kind: 'domain', value: 'www.c2.example.net' });
  await tam.get('/api/v1/sightings?limit=10');
  const hunt = (await coord.post('/api/v1/hunts', { title: 'Săn C2', description: 'd', deadline, target_org_codes: ['pq-tamthanh'], tags: ['apt-oa'] })).body;
  await tam.post('/api/v1/hunts', { title: 'x', deadline, target_org_codes: ['pq-tamthanh'] });           // 403
  await coord.post('/api/v1/hunts', { title: 'x', deadline, target_org_codes: ['pq-tamthanh'], tags: ['none'] }); // 422
  await tam.get('/api/v1/hunts');
  await tam.get(`/api/v1/hunts/${hunt.id}/rules`);
  const hits = '{"path":"/var/log/nginx/access.log","kind":"domain","indicator":"c2.example.net","line":7}\n';
  const nd = { 'Content-Type': 'application/x-ndjson' };
  await tam.post(`/api/v1/hunts/${hunt.id}/results?hostname=pc-ketoan-02`, hits, nd);
  await tam.post(`/api/v1/hunts/${hunt.id}/results?hostname=pc-ketoan-02`, '{"path":', nd);               // 400
  const now = String(Date.now());
  const signedGet = { 'X-Agent-Key': agentKey, 'X-Agent-Time': now,
    'X-Agent-Signature': sign(null, Buffer.from(`GET /api/v1/agents/hunts ${now}`), privateKey).toString('hex') };
  await anon.get('/api/v1/agents/hunts', signedGet);
  const result = JSON.stringify({ hunt_id: hunt.id, hostname: 'pc-ketoan-01', collected_at: new Date().toISOString(), sequence: 2, files: 3, bytes: 10, errors: 0,
    hits: [{ path: '/tmp/x', kind: 'domain', indicator: 'c2.example.net' }] });
  await anon.post(`/api/v1/agents/hunts/${hunt.id}/results`, result, signed(result));
  await anon.post(`/api/v1/agents/hunts/${hunt.id}/results`, result, { ...signed(result), 'X-Agent-Signature': 'ab'.repeat(64) }); // 401
  await coord.get(`/api/v1/hunts/${hunt.id}`);
  await coord.get(`/api/v1/hunts/${hunt.id}/peers`);                           // h/fed-kinds: none here
  await coord.post(`/api/v1/hunts/${hunt.id}/close`, undefined, { 'If-Match': `"${hunt.version}"` });
  await coord.post(`/api/v1/hunts/${hunt.id}/close`, undefined, { 'If-Match': `"${hunt.version + 1}"` });       // 409
  await tam.get('/api/v1/compliance');
  await coord.get('/api/v1/compliance?format=csv');
  // the queue (issue 12): search and sort, export, inbox, saved filters, bulk
  await coord.get('/api/v1/incidents?q=giao%20dien&sort=due&status=open');
  await coord.get('/api/v1/incidents.csv?status=open');
  await coord.get('/api/v1/inbox');
  await tinh.get('/api/v1/inbox');
  const sf = await coord.post('/api/v1/saved-filters', { name: 'Quá hạn', query: 'overdue=true' });
  await coord.get('/api/v1/saved-filters');
  await coord.del(`/api/v1/saved-filters/${sf.body.id}`);
  await coord.del(`/api/v1/saved-filters/${sf.body.id}`);                // 404
  const received = (await coord.get('/api/v1/incidents?status=received&limit=2')).body.items;
  await coord.post('/api/v1/incidents/bulk', { action: 'acknowledge', items: received.map((x) => ({ id: x.id, version: x.version })) });
  await coord.post('/api/v1/incidents/bulk', { action: 'nope', items: [] }); // 422
  // the risk register, resources, budget (issue 15, h/risk)
  const fin = check(await loginAs(server, 'taichinh'));
  const psys = (await tam.post('/api/v1/systems', { name: 'Hệ thống một cửa điện tử xã', level: 3 })).body;
  const risk = (await tam.post('/api/v1/risks', { system_id: psys.id, threat: 'malware', likelihood: 3, impact: 4 })).body;
  await tam.post('/api/v1/risks', { system_id: psys.id, threat: 'malware', likelihood: 3, impact: 4 });       // 409
  await tam.get('/api/v1/risks');
  await tam.get('/api/v1/risks?org=pq-longhai');                                                        // 404
  await tam.get(`/api/v1/risks/${risk.id}`);
  await tam.patch(`/api/v1/risks/${risk.id}`, { impact: 5 }, { 'If-Match': `"${risk.version}"` });
  await tam.get('/api/v1/risks/heatmap');
  await tam.get(`/api/v1/systems/${psys.id}/risk-hints`);
  const res = (await tam.post('/api/v1/resources', { kind: 'equipment', name: 'Máy tính dự phòng', quantity: 2 })).body;
  await tam.get('/api/v1/resources?kind=equipment');
  await tam.patch(`/api/v1/resources/${res.id}`, { quantity: 3 }, { 'If-Match': `"${res.version}"` });
  const bl = (await tam.post('/api/v1/budget-lines', { year: 2026, category: 'training', planned: 1000000 })).body;
  const sub = (await tam.post(`/api/v1/budget-lines/${bl.id}/submit`, undefined, { 'If-Match': `"${bl.version}"` })).body;
  await tam.patch(`/api/v1/budget-lines/${bl.id}`, { planned: 2000000 }, { 'If-Match': `"${sub.version}"` });   // 422
  await tam.patch(`/api/v1/budget-lines/${bl.id}`, { planned: 2000000, reason: 'Thêm lớp' }, { 'If-Match': `"${sub.version}"` });
  await fin.get('/api/v1/budget-lines?year=2026');
  await fin.get('/api/v1/budget/rollup?year=2026');
  await fin.get('/api/v1/budget/rollup.csv?year=2026');
  await fin.get('/api/v1/budget/rollup.xlsx?year=2026');
  // drills and periodic reports (issue 15, h/reports)
  const lvl3 = (await coord.post('/api/v1/systems', { name: 'Cổng thông tin huyện', level: 3 })).body;
  const drill = (await coord.post('/api/v1/plan/drills', { title: 'Diễn tập mã hóa dữ liệu', kind: 'live', planned_at: new Date().toISOString(),
    system_ids: [lvl3.id], injects: [{ at: new Date().toISOString(), text: 'Tệp bị mã hóa' }] })).body;
  await coord.post('/api/v1/plan/drills', { title: 'x', kind: 'war', planned_at: 'x' });                         // 422
  await coord.get('/api/v1/plan/drills?year=2026');
  await coord.patch(`/api/v1/plan/drills/${drill.id}`, { status: 'held', held_at: new Date().toISOString() }, { 'If-Match': `"${drill.version}"` });
  await coord.patch(`/api/v1/plan/drills/${drill.id}`, { lessons: 'x' }, { 'If-Match': `"${drill.version}"` }); // 412
  const owner = (await admin.get('/api/v1/users')).body.items.find((x) => x.username === 'tamthanh');
  const act = (await coord.post(`/api/v1/plan/drills/${drill.id}/actions`, { title: 'Sao lưu hằng ngày', owner_id: owner.id, due_at: new Date(Date.now() + 864e5).toISOString() })).body;
  await tam.get('/api/v1/inbox');
  await tam.patch(`/api/v1/plan/drills/${drill.id}/actions/${act.id}`, { done: true });
  await coord.get(`/api/v1/plan/drills/${drill.id}`);
  await coord.get(`/api/v1/plan/drills/${drill.id}/document`);
  await coord.get('/api/v1/plan/drill-compliance');
  const m5 = (await coord.post('/api/v1/plan/mau05', { period: 'year', year: 2026 })).body;
  await coord.post('/api/v1/plan/mau05', { period: 'year', year: 2026 });                                         // 409
  await coord.get('/api/v1/plan/mau05');
  await coord.get(`/api/v1/plan/mau05/${m5.id}`);
  const m5b = (await coord.patch(`/api/v1/plan/mau05/${m5.id}`, { cells: { dos: { damage: 5000000 } }, reason: 'Theo biên bản' }, { 'If-Match': `"${m5.version}"` })).body;
  await coord.patch(`/api/v1/plan/mau05/${m5.id}`, { cells: { dos: { damage: 7 } } }, { 'If-Match': `"${m5b.version}"` }); // 422
  await lead.post(`/api/v1/plan/mau05/${m5.id}/send`, undefined, { 'If-Match': `"${m5b.version}"` });
  await coord.get(`/api/v1/plan/mau05/${m5.id}/document?format=docx`);
  // the approval between draft and sent (h/duty): submit, return with a reason, again, approve
  let m6 = (await coord.post('/api/v1/plan/mau05', { period: 'half', year: 2026 })).body;
  await lead.post(`/api/v1/plan/mau05/${m6.id}/approve`, undefined, { 'If-Match': `"${m6.version}"` });        // 409: a draft
  m6 = (await coord.post(`/api/v1/plan/mau05/${m6.id}/submit`, undefined, { 'If-Match': `"${m6.version}"` })).body;
  await coord.patch(`/api/v1/plan/mau05/${m6.id}`, { helpers: 'x' }, { 'If-Match': `"${m6.version}"` });     // 409: awaiting
  await lead.post(`/api/v1/plan/mau05/${m6.id}/return`, {}, { 'If-Match': `"${m6.version}"` });              // 422: no reason
  await coord.post(`/api/v1/plan/mau05/${m6.id}/return`, { reason: 'x' }, { 'If-Match': `"${m6.version}"` }); // 403
  m6 = (await lead.post(`/api/v1/plan/mau05/${m6.id}/return`, { reason: 'Thiếu số liệu' }, { 'If-Match': `"${m6.version}"` })).body;
  m6 = (await coord.post(`/api/v1/plan/mau05/${m6.id}/submit`, undefined, { 'If-Match': `"${m6.version}"` })).body;
  await lead.post(`/api/v1/plan/mau05/${m6.id}/approve`, undefined, { 'If-Match': `"${m6.version}"` });
  await coord.get('/api/v1/plan/orgs/pq/mau01');
  await coord.get('/api/v1/plan/orgs/pq/mau01/document');
  await coord.get('/api/v1/plan/annual?year=2026');
  await coord.get('/api/v1/plan/annual/document?year=2026');
  await coord.del('/api/v1/session');
  // a failed login: 401 whatever the reason, even locked (issue 11)
  const victim = await newUser(admin);
  const l = check(new Client(server.url));
  for (let k = 0; k < 3; k++) await l.login(victim.username, 'sai-mat-khau');
  await l.login(victim.username, 'sai-mat-khau');
  // one's own account: a second factor, the two-step login, the password
  const acct = check(new Client(server.url));
  const mine = await newUser(admin);
  await acct.login(mine.username, mine.password);
  const enrol = await acct.post('/api/v1/account/totp', { password: mine.password });
  await acct.post('/api/v1/account/totp', { password: 'sai' });                                  // 422
  const next = totpCodes(enrol.body.secret);
  const rcs = (await acct.post('/api/v1/account/totp/confirm', { code: next() })).body.recovery_codes;
  await acct.post('/api/v1/account/totp/confirm', { code: '000000' });                          // 409
  const fresh = (await acct.post('/api/v1/account/recovery-codes', { code: rcs[0] })).body.recovery_codes;
  const two = check(new Client(server.url));
  const ch = await two.req('POST', '/api/v1/session', { username: mine.username, password: mine.password }); // 202
  await two.post('/api/v1/session/second-factor', { challenge: ch.body.challenge, code: '000000' }); // 401
  await two.post('/api/v1/session/second-factor', { challenge: ch.body.challenge, code: next() });
  two.csrf = (await two.get('/api/v1/session')).body.csrf;
  await acct.post('/api/v1/account/totp/disable', { code: fresh[0] });
  await two.post('/api/v1/account/password', { current_password: mine.password, new_password: 'mot-cau-rat-dai-2025' });
  // response plans and playbooks (issue 15, h/plans)
  const outline = await admin.get('/api/v1/plan-outline');
  await admin.req('PUT', '/api/v1/plan-outline', { sections: outline.body.sections.map(({ code, kind, title_vi, title_en, guidance }) => ({ code, kind, title_vi, title_en, guidance })) },
    { 'If-Match': `"${outline.body.version}"` });
  const pl = (await tam.post('/api/v1/plans', {})).body;
  await tam.post('/api/v1/plans', {});                                             // 409
  await tam.get('/api/v1/plans?status=draft');
  await tam.get(`/api/v1/plans/${pl.id}`);
  const pe = (await tam.patch(`/api/v1/plans/${pl.id}`, { title: 'Kế hoạch ứng phó', sections: [{ code: 'budget', text: 'Dự toán' }],
    scenarios: [{ threat: 'encryption', steps: [{ phase: 'contain', text: 'Ngắt mạng máy bị mã hóa' }], support: 'Tỉnh' }] }, { 'If-Match': `"${pl.version}"` })).body;
  const ps = (await tam.post(`/api/v1/plans/${pl.id}/transitions`, { to: 'submitted' }, { 'If-Match': `"${pe.version}"` })).body;
  await lead.post(`/api/v1/plans/${pl.id}/transitions`, { to: 'approved', decision_number: '1/QĐ-UBND', decision_date: '2026-01-05' }, { 'If-Match': `"${ps.version}"` });
  const pv = (await tam.post(`/api/v1/plans/${pl.id}/versions`)).body;
  await tam.get(`/api/v1/plans/${pv.id}/diff`);
  await tam.get(`/api/v1/plans/${pl.id}/document?format=odt`);                      // 422
  await coord.get('/api/v1/plans/compliance');
  await coord.get(`/api/v1/incidents/${i.id}/playbook`);
  // federation (issue 16, h/sync-core)
  await admin.get('/api/v1/sync/self');
  const pk = generateKeyPairSync('ed25519').publicKey.export({ format: 'der', type: 'spki' }).subarray(-32).toString('hex');
  const peer = (await admin.post('/api/v1/sync/peers', { name: `tinh-${process.pid}`, public_key: pk, relation: 'parent', orgs: ['tinh'] })).body;
  await admin.post('/api/v1/sync/peers', { name: `tinh-${process.pid}`, public_key: pk, relation: 'parent' });   // 409
  await admin.post('/api/v1/sync/peers', { name: 'Sai Tên', public_key: 'xx', relation: 'sibling' });            // 422
  await admin.get('/api/v1/sync/peers');
  await admin.get('/api/v1/sync/status');
  await admin.get('/api/v1/sync/refusals?limit=5');
  await admin.get('/api/v1/sync/received?limit=5');   // h/fed-ui
  await admin.get('/api/v1/sync/received?section=bogus');   // 422
  await coord.get('/api/v1/sync/status');                                                                       // 403
  await admin.req('DELETE', `/api/v1/sync/peers/${peer.id}`);
  await admin.req('DELETE', `/api/v1/sync/peers/${peer.id}`);                                                   // 404
  // the standing duty (issue 17, h/notify)
  const sh = (await tok.post('/api/v1/duty/shifts', { org_code: 'pq', kind: 'weekly', days: ['mon', 'tue'], start: '07:30', end: '17:00', primary_id: me.id })).body;
  await tok.post('/api/v1/duty/shifts', { org_code: 'pq', kind: 'weekly', start: '25:00', end: '17:00', primary_id: me.id }); // 422
  await lead.post('/api/v1/duty/shifts', { org_code: 'pq', kind: 'weekly', primary_id: me.id });                             // 403
  await tok.get('/api/v1/duty/shifts?org_code=pq');
  await tam.get('/api/v1/duty/now');
  await tok.del(`/api/v1/duty/shifts/${sh.id}`);
  await tok.del(`/api/v1/duty/shifts/${sh.id}`);                                                                           // 404
  const notes = (await tok.get('/api/v1/notifications?limit=5')).body;
  await tok.get('/api/v1/notifications?limit=0');                                                                          // 422
  await tok.get('/api/v1/notifications/count');
  if (notes.items[0]) await tok.post(`/api/v1/notifications/${notes.items[0].id}/read`);
  await tam.post('/api/v1/notifications/00000000-0000-7000-8000-000000000000/read');                                        // 404
  await tok.get('/api/v1/account/notifications');
  // a public address literal (no lookup, nothing sent: web only); loopback is refused (h/duty)
  await tok.req('PUT', '/api/v1/account/notifications', { channels: { 'incident.new': ['web'] }, webhook: { url: 'http://8.8.8.8:9/hook' } });
  await tok.req('PUT', '/api/v1/account/notifications', { webhook: { url: 'http://127.0.0.1:9/hook' } });                  // 422
  await tok.req('PUT', '/api/v1/account/notifications', { channels: { 'incident.new': ['pigeon'] } });                    // 422
  await admin.get('/api/v1/deliveries?status=queued');
  await tok.get('/api/v1/deliveries');                                                                                      // 403
  // email intake (issue 17 item 5, h/mail): a stranger's messages in triage,
  // a refused one in quarantine
  const mail = (from, extra = '') => JSON.parse(run(['intake', 'email', '--db', server.db, '--json'], {
    input: `From: <${from}>\r\nSubject: [TBSC] ${from}\r\n${extra}\r\nTrang web bị tấn công.\r\n`,
  }).stdout).messages[0];
  const t1 = mail(`la1.${process.pid}@example.org`).triage_id;
  const t2 = mail(`la2.${process.pid}@example.org`).triage_id;
  mail(`la3.${process.pid}@example.org`, 'Content-Type: text/plain; charset=x-khong-co\r\n');
  await coord.get('/api/v1/mail/triage');
  await coord.get('/api/v1/mail/triage?status=accepted');
  await coord.get('/api/v1/mail/triage?status=nao');                               // 422
  await coord.get(`/api/v1/mail/triage/${t1}`);
  await coord.post(`/api/v1/mail/triage/${t1}/accept`, { org_code: 'pq-tamthanh' });
  await coord.post(`/api/v1/mail/triage/${t1}/accept`, { org_code: 'pq-tamthanh' }); // 409
  await coord.post(`/api/v1/mail/triage/${t2}/reject`, { reason: 'Thư rác' });
  await coord.post(`/api/v1/mail/triage/${t2}/reject`, {});                         // 422
  await tam.get('/api/v1/mail/triage');                                              // 403
  await coord.get('/api/v1/mail/quarantine');
  // syslog alerts (issue 17, h/syslog): two lines naming two indicators
  const slc = check(await loginAs(server, 'dieuphoi'));
  const slt = check(await loginAs(server, 'tamthanh'));
  const loaded = (await slc.get('/api/v1/syslog/status')).body.indicators;
  for (const value of ['198.51.100.250', 'syslog-openapi.example']) await slc.post('/api/v1/indicators', { value, tlp: 'GREEN' });
  await until(async () => (await slc.get('/api/v1/syslog/status')).body.indicators >= loaded + 2, 'indicators loaded');
  await udp(syslogPort, '<13>1 2026-12-07T01:02:03Z fw1 filterlog - - - block 198.51.100.250 to syslog-openapi.example');
  const al = await until(async () => { const x = (await slc.get('/api/v1/alerts')).body.items; return x.length >= 2 && x; }, 'two alerts');
  await slc.get(`/api/v1/alerts/${al[0].id}`);
  await slc.get('/api/v1/alerts?status=bad');                                    // 422
  await slc.get('/api/v1/alerts/01a24eb2-0000-7000-8000-000000000000');            // 404
  await slt.post(`/api/v1/alerts/${al[0].id}/promote`, {}, { 'If-Match': `"${al[0].version}"` }); // 403
  await slc.post(`/api/v1/alerts/${al[0].id}/promote`, {}, { 'If-Match': `"${al[0].version}"` });
  await slc.post(`/api/v1/alerts/${al[0].id}/promote`, {}, { 'If-Match': `"${al[0].version + 2}"` }); // 409
  await slc.post(`/api/v1/alerts/${al[1].id}/dismiss`, { reason: '' }, { 'If-Match': `"${al[1].version}"` }); // 422
  await slc.post(`/api/v1/alerts/${al[1].id}/dismiss`, { reason: 'Thử' }, { 'If-Match': `"${al[1].version}"` });
  await slc.get('/api/v1/alerts?status=all');

  assert.deepEqual(problems, []);
  // the walk above touched every operation of the document
  const touched = new Set(seen.map((s) => s.split(' ').slice(0, 2).join(' ')));
  const all = [];
  for (const [tpl, item] of Object.entries(doc.paths)) for (const m of METHODS) if (item[m]) all.push(`${m.toUpperCase()} ${tpl}`);
  assert.deepEqual(all.filter((x) => !touched.has(x) && x !== 'GET /api/v1/openapi.json'), []);
  for (const code of [200, 201, 202, 204, 400, 401, 403, 404, 409, 412, 413, 415, 422, 428]) {
    assert.ok(seen.some((s) => s.endsWith(` ${code}`)), `saw a ${code}`);
  }
});
