// tests/cluster/patroni.mjs - the primary switched over under load (issue 18,
// Faults): three PostgreSQL 15 members managed by Patroni with one etcd, on
// loopback in a temporary directory, synchronous replication on (the
// settings of packaging/patroni.yml); two `ungcuu serve` nodes on the
// multi-host URL (target_session_attrs=read-write) behind HAProxy; a write
// load through HAProxy while Patroni moves the primary to the synchronous
// standby. Every incident a client got a 201 for must be on the new
// primary; the nodes answer 503 problem+json meanwhile and come back by
// themselves. Skipped without patroni, etcd, postgresql-15 and haproxy.
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, mkdirSync, rmSync, writeFileSync, chmodSync, chownSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, before, after } from 'node:test';
import { bin, root, freePort, Client } from '../lib/server.mjs';
import { report } from '../api/helpers.mjs';
import { sleep, until, get } from './common.mjs';

const PGBIN = process.env.PGBIN ?? '/usr/lib/postgresql/15/bin';
const which = (names) => names.find((p) => existsSync(p));
const HAPROXY = which(['/usr/sbin/haproxy', '/usr/bin/haproxy']);
const PATRONI = which(['/usr/bin/patroni']);
const ETCD = which(['/usr/bin/etcd']);
const skip = !existsSync(join(PGBIN, 'initdb')) ? 'no PostgreSQL 15'
  : !HAPROXY ? 'no haproxy' : !PATRONI ? 'no patroni (apt-get install patroni)'
    : !ETCD ? 'no etcd (apt-get install etcd-server)' : false;
const T = { timeout: 600_000, skip };

const dir = mkdtempSync(join(tmpdir(), 'ungcuu-patroni-'));
chmodSync(dir, 0o755);
const state = join(dir, 'state');
const env = { ...process.env, UNGCUU_STATE_DIR: state };
// PostgreSQL refuses to run as root: the members run as "postgres" then.
const asPg = process.getuid?.() === 0
  ? { uid: Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' })), gid: Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' })) }
  : {};
let etcd; let haproxy; let lb; let url; let logins;
const members = [];   // { name, rest, port, child }
const nodes = [];     // { name, port, child, url }
const children = [];

function run(cmd, args, opts = {}) {
  const c = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'], ...opts });
  c.log = '';
  c.stderr.on('data', (d) => { c.log += d; });
  c.exited = false;
  c.on('exit', () => { c.exited = true; });
  children.push(c);
  return c;
}
const cluster = async () => (await get(`http://127.0.0.1:${members[0].rest}`, '/cluster')).body?.members ?? [];
const primaryPort = async () => (await cluster()).find((m) => m.role === 'leader')?.port;
function psql(sql, port, database = 'ungcuu') {
  return execFileSync('psql', ['-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1', `postgres://ungcuu@127.0.0.1:${port}/${database}`, '-c', sql],
    { encoding: 'utf8' }).trim();
}

before(async () => {
  if (skip) return;
  mkdirSync(state);
  const ec = await freePort(); const ep = await freePort();
  etcd = run(ETCD, ['--name', 'e1', '--data-dir', join(dir, 'etcd'), '--enable-v2=true',
    '--listen-client-urls', `http://127.0.0.1:${ec}`, '--advertise-client-urls', `http://127.0.0.1:${ec}`,
    '--listen-peer-urls', `http://127.0.0.1:${ep}`, '--initial-advertise-peer-urls', `http://127.0.0.1:${ep}`,
    '--initial-cluster', `e1=http://127.0.0.1:${ep}`]);
  for (const name of ['pg1', 'pg2', 'pg3']) {
    const m = { name, rest: await freePort(), port: await freePort(), dir: join(dir, name) };
    mkdirSync(m.dir);
    if (asPg.uid !== undefined) chownSync(m.dir, asPg.uid, asPg.gid);
    // packaging/patroni.yml on loopback: trust instead of passwords, short
    // timers so the test is quick, fsync off (the data dies with the test)
    writeFileSync(join(m.dir, 'patroni.yml'), `scope: ungcuu-test
namespace: /service/
name: ${name}
log:
  level: WARNING
restapi:
  listen: 127.0.0.1:${m.rest}
  connect_address: 127.0.0.1:${m.rest}
etcd:
  hosts: 127.0.0.1:${ec}
bootstrap:
  dcs:
    ttl: 10
    loop_wait: 1
    retry_timeout: 5
    maximum_lag_on_failover: 1048576
    synchronous_mode: true
    synchronous_node_count: 1
    postgresql:
      use_pg_rewind: true
      parameters:
        wal_level: replica
        hot_standby: "on"
        max_connections: 200
        max_wal_senders: 10
        max_replication_slots: 10
        wal_log_hints: "on"
        fsync: "off"
  initdb:
    - encoding: UTF8
    - locale: C.UTF-8
  pg_hba:
    - host replication replicator 127.0.0.1/32 trust
    - host all all 127.0.0.1/32 trust
    - local all all trust
postgresql:
  listen: 127.0.0.1:${m.port}
  connect_address: 127.0.0.1:${m.port}
  data_dir: ${join(m.dir, 'data')}
  bin_dir: ${PGBIN}
  pgpass: ${join(m.dir, 'pgpass')}
  parameters:
    unix_socket_directories: ${m.dir}
  authentication:
    superuser: { username: ungcuu, password: x }
    replication: { username: replicator, password: x }
    rewind: { username: ungcuu, password: x }
`);
    members.push(m);
  }
  await until('etcd answers', async () => (await get(`http://127.0.0.1:${ec}`, '/health')).status === 200, 100);
  for (const m of members) {
    m.child = run(PATRONI, [join(m.dir, 'patroni.yml')], { ...asPg, cwd: m.dir });
    await sleep(500);
  }
  await until('a primary and a synchronous standby', async () => {
    const ms = await cluster();
    return ms.some((m) => m.role === 'leader' && m.state === 'running') && ms.some((m) => m.role === 'sync_standby' && m.state === 'streaming' || m.role === 'sync_standby' && m.state === 'running');
  }, 600);
  const p = await primaryPort();
  psql('CREATE DATABASE ungcuu', p, 'postgres');
  url = `postgres://ungcuu@${members.map((m) => `127.0.0.1:${m.port}`).join(',')}/ungcuu?target_session_attrs=read-write`;
  logins = JSON.parse(execFileSync(bin, ['demo', '--db', url, '--json'], { env, encoding: 'utf8' })).logins;
  for (const name of ['a', 'b']) {
    const n = { name, port: await freePort() };
    n.url = `http://127.0.0.1:${n.port}`;
    n.child = run(bin, ['serve', '--db', url, '--listen', `127.0.0.1:${n.port}`, '--threads', '4', '--no-sync',
      '--login-burst', '100000', '--login-rate', '100000', '--max-conns-per-ip', '1000'], { env });
    nodes.push(n);
  }
  for (const n of nodes) await until(`${n.name} answers`, async () => (await get(n.url, '/api/v1/health')).status === 200, 600);
  const lbPort = await freePort();
  writeFileSync(join(dir, 'haproxy.cfg'), execFileSync(join(root, 'tools/demo-cluster.sh'),
    ['haproxy-config', String(lbPort), ...nodes.map((n) => `127.0.0.1:${n.port}`)], { encoding: 'utf8' }));
  haproxy = run(HAPROXY, ['-f', join(dir, 'haproxy.cfg'), '-db']);
  lb = `http://127.0.0.1:${lbPort}`;
  await until('HAProxy answers', async () => (await get(lb, '/api/v1/health')).status === 200, 300);
});

after(async () => {
  const order = [...nodes.map((n) => n.child), haproxy, ...members.map((m) => m.child), etcd].filter(Boolean);
  for (const c of order) {
    if (c.exited) continue;
    const gone = new Promise((ok) => c.once('exit', ok));
    c.kill('SIGTERM');
    await Promise.race([gone, sleep(20_000)]);
    if (!c.exited) c.kill('SIGKILL');
  }
  // a member Patroni could not stop: its PostgreSQL by pg_ctl
  for (const m of members) {
    if (existsSync(join(m.dir, 'data', 'postmaster.pid'))) {
      try {
        const cmd = process.getuid?.() === 0 ? ['runuser', '-u', 'postgres', '--', join(PGBIN, 'pg_ctl')] : [join(PGBIN, 'pg_ctl')];
        execFileSync(cmd[0], [...cmd.slice(1), '-D', join(m.dir, 'data'), '-m', 'immediate', 'stop'], { stdio: 'ignore' });
      } catch { /* already stopped */ }
    }
  }
  if (process.env.CLUSTER_KEEP_LOGS) {
    nodes.forEach((n) => writeFileSync(`${process.env.CLUSTER_KEEP_LOGS}/patroni-node-${n.name}.log`, n.child?.log ?? ''));
    members.forEach((m) => writeFileSync(`${process.env.CLUSTER_KEEP_LOGS}/patroni-${m.name}.log`, m.child?.log ?? ''));
  }
  rmSync(dir, { recursive: true, force: true });
});

test('the primary switched over under a write load: nothing acknowledged is lost, the nodes come back by themselves', T, async () => {
  const tam = logins.find((l) => l.username === 'tamthanh');
  const clients = await Promise.all([0, 1, 2, 3].map(async () => {
    const c = new Client(lb);
    assert.equal((await c.login(tam.username, tam.password)).status, 200);
    return c;
  }));
  const acked = []; const answers = {}; const bad = [];
  let firstRefused = null; let lastRefused = null;
  let done = 0; const TOTAL = 240;
  async function worker(c, w) {
    for (let i = 0; i < TOTAL / 4; i++) {
      let r;
      try {
        r = await c.req('POST', '/api/v1/incidents', report({ title: `Chuyển đổi ${w}-${i}`, tlp: 'GREEN' }),
          {});
      } catch (err) {
        r = { status: 0, text: String(err), headers: new Headers() };
      }
      answers[r.status] = (answers[r.status] ?? 0) + 1;
      if (r.status !== 201) {
        firstRefused ??= Date.now();
        lastRefused = Date.now();
      }
      if (r.status === 201) acked.push(r.body.id);
      else if (r.status !== 0 && !(r.status === 503 && (r.headers.get('content-type') ?? '').startsWith('application/problem+json'))) {
        bad.push(`${r.status} ${r.text.slice(0, 200)}`);
      }
      done++;
      if (r.status !== 201) await sleep(100);
    }
  }
  const before = await primaryPort();
  const sync = (await cluster()).find((m) => m.role === 'sync_standby');
  assert.ok(sync, 'a synchronous standby');
  const load = Promise.all(clients.map((c, w) => worker(c, w)));
  await until('a quarter of the load', () => done >= TOTAL / 4, 600);
  const leaderName = (await cluster()).find((m) => m.role === 'leader').name;
  const sw = await get(`http://127.0.0.1:${members[0].rest}`, '/switchover', {
    method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ leader: leaderName, candidate: sync.name }),
  });
  assert.equal(sw.status, 200, `switchover: ${sw.text}`);
  await load;
  const after = await until('the new primary runs', async () => {
    const p = await primaryPort();
    return p && p !== before ? p : null;
  }, 300);
  assert.equal(after, sync.port, 'the synchronous standby is the primary now');
  // the nodes reach the new primary by themselves, and write again
  for (const n of nodes) await until(`${n.name} healthy`, async () => (await get(n.url, '/api/v1/health')).status === 200, 300);
  const again = await until('a write through HAProxy again', async () => {
    const r = await clients[0].post('/api/v1/incidents', report({ title: 'Sau chuyển đổi', tlp: 'GREEN' }));
    return r.status === 201 ? r : null;
  }, 100);
  assert.equal(again.status, 201);
  const stored = new Set(psql('SELECT id FROM incidents', after).split('\n'));
  const lost = acked.filter((id) => !stored.has(id));
  console.log(`# Patroni switchover under load: ${TOTAL} creations, ${acked.length} acknowledged, answers ${JSON.stringify(answers)}, `
    + `refusals for ${firstRefused ? ((lastRefused - firstRefused) / 1000).toFixed(1) : 0} s, ${lost.length} lost`);
  assert.deepEqual(lost, [], 'acknowledged creations missing on the new primary');
  assert.deepEqual(bad, [], 'answers other than 201 and 503 problem+json');
  for (const n of nodes) assert.equal(n.child.exited, false, `${n.name} still runs`);
  // the audit chain is whole on the new primary
  execFileSync(bin, ['admin', 'audit-verify', '--db', url], { env, stdio: ['ignore', 'ignore', 'pipe'] });
});
