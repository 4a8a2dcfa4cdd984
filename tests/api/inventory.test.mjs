// The host inventory through the command line: `ungcuu agent run --dry-run`
// on this machine lists every installed package that `dpkg-query -W` lists,
// with the same versions (matched by name and architecture: dpkg-query's
// ${binary:Package} adds ":arch" to Multi-Arch: same packages, we keep the
// name and the arch apart), and the same source packages; on a synthetic
// root tree it decodes /proc/net and os-release; the Windows collector's
// sample file imports, and a file older than the host's stored inventory
// replaces nothing. Skipped where dpkg-query is absent or the binary has no
// agent command yet.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { root as repo, sqlite3 } from '../lib/server.mjs';
import { test, run } from './helpers.mjs';

const data = join(repo, 'tests', 'data', 'inventory');

function dpkgQuery() {
  const r = spawnSync('dpkg-query', ['-W', '-f=${Package}\t${Architecture}\t${Version}\t${db:Status-Status}\t${source:Package}\t${source:Version}\t${binary:Package}\n'],
    { encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.error || r.status !== 0) return null;
  return r.stdout.split('\n').filter(Boolean).map((l) => {
    const [name, arch, version, state, source, sourceVersion, binary] = l.split('\t');
    return { name, arch, version, state, source, sourceVersion, binary };
  });
}

// The inventory document of `agent run --dry-run`, or null when the binary
// has no such command.
function dryRun(root) {
  const args = ['agent', 'run', '--dry-run'];
  if (root) args.push('--root', root);
  const r = run(args, { env: { UNGCUU_LANG: 'en' }, maxBuffer: 64 << 20 });
  if (r.status === 2 && /unknown|usage/i.test(r.stderr)) return null;
  assert.equal(r.status, 0, `agent run --dry-run: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

test('agent run lists what dpkg-query -W lists, with the same versions', (t) => {
  if (!existsSync('/var/lib/dpkg/status')) return t.skip('no dpkg database');
  let before = dpkgQuery();
  if (before === null) return t.skip('no dpkg-query');
  let doc;
  // apt may run meanwhile: query, collect, query again until they agree.
  for (let i = 0; i < 5; i++) {
    const t0 = process.hrtime.bigint();
    doc = dryRun();
    if (doc === null) return t.skip('no agent command in this build');
    t.diagnostic(`agent run --dry-run: ${Number(process.hrtime.bigint() - t0) / 1e6} ms`);
    const after = dpkgQuery();
    if (JSON.stringify(after) === JSON.stringify(before)) break;
    before = after;
  }
  const ours = new Map();
  for (const p of doc.packages) {
    assert.equal(p.ecosystem, 'dpkg');
    const key = `${p.name}\t${p.arch ?? ''}`;
    assert.ok(!ours.has(key), `listed twice: ${key}`);
    ours.set(key, p);
  }
  const installed = before.filter((q) => q.state === 'installed');
  for (const q of installed) {
    const p = ours.get(`${q.name}\t${q.arch}`);
    assert.ok(p, `${q.binary} ${q.version}: listed by dpkg-query -W, not by ungcuu`);
    assert.equal(p.version, q.version, q.binary);
    assert.equal(p.source, q.source, q.binary);
    assert.equal(p.source_version, q.sourceVersion, q.binary);
  }
  assert.equal(doc.packages.length, installed.length, 'no package dpkg-query does not list');
  t.diagnostic(`dpkg-query -W: ${before.length} lines, ${installed.length} installed, all matched; `
    + `${before.length - installed.length} not installed (config-files …) left out`);
  assert.equal(doc.schema, 'ungcuu-inventory/1');
  assert.equal(doc.os.family, 'linux');
  assert.ok(doc.os.kernel, 'kernel from uname');
});

test('agent run --root reads a tree: os-release, host name, dpkg, /proc/net', (t) => {
  // The tree keeps its var/ as _var/ in git; collect from a copy with the real name.
  const tree = mkdtempSync(join(tmpdir(), 'ungcuu-root-'));
  cpSync(join(data, 'roots', 'debian12'), tree, { recursive: true });
  renameSync(join(tree, '_var'), join(tree, 'var'));
  const doc = dryRun(tree);
  rmSync(tree, { recursive: true, force: true });
  if (doc === null) return t.skip('no agent command in this build');
  assert.equal(doc.hostname, 'ubnd-phuquy-web01');
  assert.equal(doc.os.id, 'debian');
  assert.equal(doc.os.version_id, '12');
  assert.equal(doc.os.kernel, '6.1.0-28-amd64');
  assert.deepEqual(doc.packages.map((p) => `${p.name}:${p.arch} ${p.version}`), [
    'libc6:amd64 2.36-9+deb12u9', 'libc6:i386 2.36-9+deb12u9',
    'openssh-server:amd64 1:9.2p1-2+deb12u3', 'zlib1g:amd64 1:1.2.13.dfsg-1',
  ]);
  if (new Uint8Array(new Uint16Array([1]).buffer)[0] === 1) { // samples are little-endian
    assert.deepEqual(doc.services.map((s) => `${s.proto} ${s.address} ${s.port}`), [
      'tcp 0.0.0.0 22', 'tcp :: 22', 'tcp 2001:db8::1 80', 'tcp 10.0.2.10 443',
      'tcp ::1 631', 'tcp 127.0.0.1 5432', 'tcp ::ffff:127.0.0.1 8080',
      'udp 127.0.0.53 53', 'udp 0.0.0.0 68', 'udp :: 546',
    ]);
  }
  assert.deepEqual(doc.addresses, []);
});

test('a missing root is an error that names it', (t) => {
  const r = run(['agent', 'run', '--dry-run', '--root', '/nonexistent/ungcuu-root'],
    { env: { UNGCUU_LANG: 'en' } });
  if (r.status === 2 && /unknown|usage/i.test(r.stderr)) return t.skip('no agent command');
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /\/nonexistent\/ungcuu-root/);
});

test('import windows-inventory takes the collect.ps1 sample and DISM text', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'ungcuu-inv-'));
  try {
    const db = join(dir, 'ungcuu.db');
    const init = run(['init', '--db', db],
      { env: { UNGCUU_LANG: 'en' } });
    if (init.status !== 0) return t.skip(`init: ${init.stderr}`);
    const sample = join(data, 'windows', 'windows-sample.json');
    const r = run(['import', 'windows-inventory', sample, join(data, 'windows', 'dism_testdata.txt'),
      '--db', db, '--json'], { env: { UNGCUU_LANG: 'en' } });
    if (r.status === 2 && /unknown|usage/i.test(r.stderr)) return t.skip('no windows-inventory import');
    assert.equal(r.status, 0, r.stderr);
    const bad = run(['import', 'windows-inventory', join(data, 'dpkg', 'valid'), '--db', db],
      { env: { UNGCUU_LANG: 'en' } });
    assert.notEqual(bad.status, 0, 'a dpkg file is no Windows inventory');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a Windows file older than the stored inventory replaces nothing (a fixed finding cannot reopen)', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'ungcuu-inv-'));
  try {
    const db = join(dir, 'ungcuu.db');
    const env = { env: { UNGCUU_LANG: 'en' } };
    const init = run(['init', '--db', db], env);
    if (init.status !== 0) return t.skip(`init: ${init.stderr}`);
    const sample = JSON.parse(readFileSync(join(data, 'windows', 'windows-sample.json'), 'utf8'));
    const file = (name, at, dropPrograms = 0) => {
      const doc = { ...sample, collected_at: at, programs: sample.programs.slice(dropPrograms) };
      const path = join(dir, name);
      writeFileSync(path, JSON.stringify(doc));
      return path;
    };
    const sql = (q) => sqlite3([db, q], { encoding: 'utf8' }).trim();
    const imp = (path) => run(['import', 'windows-inventory', path, '--db', db, '--json'], env);
    const count = () => sql(`SELECT COUNT(*) FROM host_packages`);
    let r = imp(file('april.json', '2025-04-14T02:31:07Z'));
    assert.equal(r.status, 0, r.stderr);
    const full = count();
    // Last month's file, with fewer programs: refused, nothing replaced.
    r = imp(file('march.json', '2025-03-14T02:31:07Z', 3));
    assert.equal(r.status, 1, r.stdout);
    assert.match(r.stderr, /newer inventory \(collected 2025-04-14T02:31:07/);
    assert.equal(count(), full);
    // The same file again is fine, and so is a newer one.
    assert.equal(imp(file('april2.json', '2025-04-14T02:31:07Z')).status, 0);
    r = imp(file('may.json', '2025-05-14T02:31:07Z', 3));
    assert.equal(r.status, 0, r.stderr);
    assert.equal(Number(count()), Number(full) - 3);
    // A PC whose clock runs years ahead does not hold back the honest
    // files after it: its date counts as the moment it was stored.
    assert.equal(imp(file('future.json', '2099-01-01T00:00:00Z')).status, 0);
    r = imp(file('next.json', new Date(Date.now() + 60_000).toISOString()));
    assert.equal(r.status, 0, r.stderr);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
