// Syslog intake (issue 17 item 6, h/syslog): lines sent with bsdutils'
// `logger` over UDP and TCP, and raw datagrams and streams, become grouped
// alerts of the sender's organisation; a coordinator promotes one to an
// incident (its observable attached) or dismisses it; bad input is refused
// and counted, never a crash and never half an alert.
import assert from 'node:assert/strict';
import { startServer, freePort } from '../lib/server.mjs';
import { test, before, after, loginAs, assertProblem, cli, run } from './helpers.mjs';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { syslogConfig, logger, udp, tcp, until } from '../lib/syslog.mjs';

let server;
let port;
const as = {};
const IP = '203.0.113.77';
const DOMAIN = 'c2-syslog.example';
const MD5 = '44d88612fea8a8f36de82e1278abb02f';

before(async () => {
  port = await freePort();
  const config = syslogConfig(port, {
    sources: [['127.0.0.1', 'pq-tamthanh'], ['127.0.0.3', 'pq-longhai']],
    rules: ['ssh-root|medium|Failed password for root'],
    extra: 'rate = 200\n',
  });
  server = await startServer({ args: ['--config', config] });
  for (const u of ['dieuphoi', 'tamthanh', 'longhai', 'nguphung', 'lanhdao']) as[u] = await loginAs(server, u);
  for (const value of [IP, DOMAIN, MD5]) {
    const r = await as.dieuphoi.post('/api/v1/indicators', { value, tlp: 'GREEN' });
    assert.equal(r.status, 201, r.text);
  }
  await until(async () => (await as.dieuphoi.get('/api/v1/syslog/status')).body.indicators >= 3, 'the indicators to load');
});
after(async () => { await server?.stop(); });

const status = async () => (await as.dieuphoi.get('/api/v1/syslog/status')).body;
const alerts = async (client = as.dieuphoi, q = '') => (await client.get(`/api/v1/alerts${q}`)).body.items;
const alertOf = async (match, st = 'open') => (await alerts(as.dieuphoi, `?status=${st}`)).find((a) => a.match === match);

test('logger over UDP and TCP: lines naming an indicator become alerts of the sender\'s organisation, grouped with a count', async () => {
  logger(port, `Accepted connection from ${IP} port 51234`);
  logger(port, `Accepted connection from ${IP} port 51235`, { tcp: true });
  logger(port, `Accepted connection from ${IP} port 51236`, { tcp: true, octet: true });
  logger(port, `Accepted connection from ${IP} port 51237`, { rfc3164: true });
  const a = await until(async () => { const x = await alertOf(IP); return x?.count >= 4 && x; }, 'four lines in one alert');
  assert.equal(a.count, 4, JSON.stringify(a));
  assert.equal(a.kind, 'ip');
  assert.equal(a.observed, IP);
  assert.equal(a.org.code, 'pq-tamthanh');
  assert.equal(a.source, '127.0.0.1');
  assert.equal(a.status, 'open');
  assert.match(a.sample, /port 5123[4-7]/);
  assert.ok(a.first_seen <= a.last_seen);
  // a domain (through a subdomain), a hash (upper case in the line), a rule
  logger(port, `query www.${DOMAIN} A from 10.0.0.9`, { tcp: true });
  logger(port, `infected file hash=${MD5.toUpperCase()} quarantined`);
  logger(port, 'Failed password for root from 198.51.100.1 port 22 ssh2', { tag: 'sshd' });
  const d = await until(() => alertOf(DOMAIN), 'the domain alert');
  assert.equal(d.kind, 'domain');
  assert.equal(d.observed, `www.${DOMAIN}`);
  const h = await until(() => alertOf(MD5), 'the hash alert');
  assert.equal(h.kind, 'hash');
  const r = await until(() => alertOf('ssh-root'), 'the rule alert');
  assert.equal(r.kind, 'rule');
  assert.equal(r.severity, 'medium');
  // another sender maps to another organisation: its own alert
  await udp(port, `<13>1 2026-12-07T01:02:03Z fw1 filterlog - - - block ${IP}`, '127.0.0.3');
  const other = await until(async () => (await alerts()).find((x) => x.match === IP && x.org.code === 'pq-longhai'), 'the other sender\'s alert');
  assert.equal(other.count, 1);
  assert.equal(other.host, 'fw1');
});

test('scope: an organisation sees its own alerts only; another commune gets 404 on them; a reporter or leader reads, only a coordinator decides', async () => {
  const a = await until(() => alertOf(IP), 'the alert');
  assert.ok((await alerts(as.tamthanh)).some((x) => x.id === a.id));
  assert.ok((await alerts(as.lanhdao)).some((x) => x.id === a.id));
  assert.ok(!(await alerts(as.nguphung)).some((x) => x.id === a.id));
  assertProblem(await as.nguphung.get(`/api/v1/alerts/${a.id}`), 404);
  assertProblem(await as.nguphung.post(`/api/v1/alerts/${a.id}/dismiss`, { reason: 'x' }, { 'If-Match': `"${a.version}"` }), 404);
  assertProblem(await as.longhai.get('/api/v1/alerts'), 403);   // a reporter alone: not for them
  assertProblem(await as.lanhdao.post(`/api/v1/alerts/${a.id}/dismiss`, { reason: 'x' }, { 'If-Match': `"${a.version}"` }), 403);
  assertProblem(await as.tamthanh.post(`/api/v1/alerts/${a.id}/promote`, {}, { 'If-Match': `"${a.version}"` }), 403);
  assertProblem(await as.dieuphoi.get('/api/v1/alerts?status=nonsense'), 422);
  assertProblem(await as.nguphung.get('/api/v1/alerts?org=pq-tamthanh'), 404);
  assertProblem(await as.dieuphoi.get('/api/v1/alerts/not-an-id'), 404);
});

test('promote: one click files an incident of the alert\'s organisation with the observable; twice is 409; If-Match is required', async () => {
  const a = await until(() => alertOf(IP), 'the alert');
  assertProblem(await as.dieuphoi.post(`/api/v1/alerts/${a.id}/promote`, {}), 428);
  assertProblem(await as.dieuphoi.post(`/api/v1/alerts/${a.id}/promote`, { type: 7 }, { 'If-Match': `"${a.version}"` }), 422);
  const r = await as.dieuphoi.post(`/api/v1/alerts/${a.id}/promote`, { type: 'intrusion' }, { 'If-Match': `"${a.version}"` });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.body.status, 'promoted');
  assert.equal(r.body.incident.org.code, 'pq-tamthanh');
  assert.equal(r.body.incident.type, 'intrusion');
  assert.ok(r.body.incident.observables.some((o) => o.kind === 'ip' && o.value === IP), JSON.stringify(r.body.incident.observables));
  assert.equal(r.body.incident_number, r.body.incident.number);
  const again = await as.dieuphoi.post(`/api/v1/alerts/${a.id}/promote`, {}, { 'If-Match': `"${r.body.version}"` });
  assertProblem(again, 409);
  // the next line of that indicator opens a new alert
  logger(port, `Accepted connection from ${IP} port 60000`);
  const b = await until(() => alertOf(IP), 'a new open alert');
  assert.notEqual(b.id, a.id);
  assert.equal(b.count, 1);
  // the incident is the commune's: its focal point reads it
  assert.equal((await as.tamthanh.get(`/api/v1/incidents/${r.body.incident.id}`)).status, 200);
});

test('dismiss: needs a reason; the dismissed alert leaves the open list', async () => {
  const d = await until(() => alertOf(DOMAIN), 'the domain alert');
  assertProblem(await as.dieuphoi.post(`/api/v1/alerts/${d.id}/dismiss`, { reason: '' }, { 'If-Match': `"${d.version}"` }), 422, '/reason');
  assertProblem(await as.dieuphoi.post(`/api/v1/alerts/${d.id}/dismiss`, {}, { 'If-Match': `"${d.version}"` }), 422, '/reason');
  assertProblem(await as.dieuphoi.post(`/api/v1/alerts/${d.id}/dismiss`, { reason: 'x' }, { 'If-Match': '"999"' }), 412);
  const r = await as.dieuphoi.post(`/api/v1/alerts/${d.id}/dismiss`, { reason: 'Máy quét nội bộ' }, { 'If-Match': `"${d.version}"` });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.status, 'dismissed');
  assert.equal(r.body.reason, 'Máy quét nội bộ');
  assert.ok(!(await alerts()).some((x) => x.id === d.id));
  assert.ok((await alerts(as.dieuphoi, '?status=dismissed')).some((x) => x.id === d.id));
});

test('bad input: malformed, bad UTF-8, huge, broken TCP framing and floods are refused and counted; no alert from them; the server stays up', async () => {
  const before0 = await status();
  const mdBefore = (await alertOf(MD5)).count;
  const bad = [
    `<999>1 - - - - - - ${MD5}`,                       // PRI out of range
    `<13>1 not-a-time host app - - - ${MD5}`,          // RFC 5424 header
    `<13>1 2026-12-07T01:02:03Z h a - - [unclosed ${MD5}`, // structured data
    Buffer.concat([Buffer.from(`<13>bad utf8 ${MD5} `), Buffer.from([0xff, 0xfe, 0xc0, 0x80])]),
    Buffer.concat([Buffer.from(`<13>nul ${MD5}`), Buffer.from([0])]),
    '   ',
    `<13>${'A'.repeat(9000)} ${MD5}`,                  // longer than max_line (8192)
  ];
  for (const b of bad) await udp(port, b);
  // TCP: an overlong line, then a good one on the same stream; a bogus octet count closes the stream
  await tcp(port, `<13>${'B'.repeat(10000)} ${MD5}\n<13>fine line\n`);
  await tcp(port, `99999 <13>x ${MD5}\n`);   // a count over max_line: skipped whole
  await tcp(port, '12x <13>junk\n');
  const s = await until(async () => {
    const x = await status();
    const c = x.counters;
    return c.bad_pri > before0.counters.bad_pri && c.bad_header >= before0.counters.bad_header + 2 &&
      c.bad_utf8 >= before0.counters.bad_utf8 + 2 && c.empty > before0.counters.empty &&
      c.too_long >= before0.counters.too_long + 3 && c.tcp_closed_bad > before0.counters.tcp_closed_bad && c.received >= before0.counters.received + 9 && x;
  }, 'the refusals to be counted', 30).catch(async (err) => { console.log(before0, await status()); throw err; });
  assert.ok(s.running);
  // none of them reached the hash's alert: one good line after them adds exactly one
  logger(port, `good line ${MD5}`);
  await until(async () => (await alertOf(MD5)).count > mdBefore, 'the good line');
  assert.equal((await alertOf(MD5)).count, mdBefore + 1);
  // a flood from one sender: the per-sender rate (200/s, burst 400) drops the rest
  const flood = [];
  for (let i = 0; i < 2000; i++) flood.push(udp(port, `<13>flood ${i}`, '127.0.0.3'));
  await Promise.all(flood);
  await until(async () => (await status()).counters.rate_limited > 0, 'the flood to be limited');
  assert.equal((await as.dieuphoi.get('/api/v1/health')).status, 200);
  // the audit log still verifies: every alert written with its entry
  const out = cli(['admin', 'audit-verify', '--db', server.db, '--json']);
  assert.equal(JSON.parse(out).intact, true, out);
});

test('a sender not in the list: the host registry\'s addresses name its organisation, else the home organisation', async () => {
  const host = await as.nguphung.post('/api/v1/hosts', { hostname: `fw-nguphung-${process.pid}`, org_code: 'pq-nguphung', addresses: ['127.0.0.5'] });
  assert.equal(host.status, 201, host.text);
  // the registry is read again every `reload` (1 s here): send until it has been
  const a = await until(async () => {
    await udp(port, `<13>1 - fw2 - - - - drop ${IP}`, '127.0.0.5');
    return (await alerts()).find((x) => x.match === IP && x.org.code === 'pq-nguphung');
  }, 'the registry\'s organisation');
  assert.equal(a.source, '127.0.0.5');
  assert.ok((await alerts(as.nguphung)).some((x) => x.id === a.id));
  await udp(port, `<13>1 - fw3 - - - - drop ${IP}`, '127.0.0.6');
  const home = await until(async () => (await alerts()).find((x) => x.match === IP && x.source === '127.0.0.6'), 'the home organisation');
  assert.equal(home.org.code, 'pq');
  assert.ok(!(await alerts(as.tamthanh)).some((x) => x.id === home.id));
});

test('configuration: a bad [syslog] key, rule, source or a busy port stops serve with a clear message', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ungcuu-syslog-bad-'));
  const cases = [
    ['colour = blue', /ungcuu\.ini:3/],
    ['rule = r|urgent|x', /ungcuu\.ini:3/],
    ['rule = r|high|(unclosed', /ungcuu\.ini:3/],
    ['source = 10.0.0.0/33 pq', /ungcuu\.ini:3/],
    ['max_line = 10', /ungcuu\.ini:3/],
    ['source = 10.0.0.1 khong-co', /khong-co/],
  ];
  for (const [line, want] of cases) {
    const file = join(dir, 'ungcuu.ini');
    writeFileSync(file, `[syslog]\nlisten = 127.0.0.1:${port + 1}\n${line}\n`);
    const r = run(['serve', '--db', server.db, '--listen', '127.0.0.1:9', '--config', file]);
    assert.notEqual(r.status, 0, `${line}: ${r.stderr}`);
    assert.match(r.stderr, want, line);
  }
  // the port the running server listens on
  const busy = join(dir, 'busy.ini');
  writeFileSync(busy, `[syslog]\nlisten = 127.0.0.1:${port}\n`);
  const r = run(['serve', '--db', server.db, '--listen', '127.0.0.1:9', '--config', busy]);
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, new RegExp(`127\\.0\\.0\\.1:${port}`));
  // the running server is untouched
  assert.equal((await status()).running, true);
});

test('TCP: one sender holds at most a quarter of the connections (16 of 64); the rest are refused and counted', async () => {
  const before0 = (await status()).counters.tcp_refused;
  const socks = [];
  for (let i = 0; i < 24; i++) {
    socks.push(await new Promise((ok, fail) => { const s = connect(port, '127.0.0.1', () => ok(s)); s.on('error', () => {}); s.once('error', fail); }));
  }
  await until(async () => (await status()).counters.tcp_refused >= before0 + 8, 'the extra connections to be refused');
  // a line over a kept connection still arrives
  const mdBefore = (await alertOf(MD5)).count;
  socks[0].write(`<13>kept ${MD5}\n`);
  await until(async () => (await alertOf(MD5)).count > mdBefore, 'the line over a kept connection');
  for (const s of socks) s.destroy();
});
