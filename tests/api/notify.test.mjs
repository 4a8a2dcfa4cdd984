// The standing duty (issue 17, h/notify): the roster and who is on duty,
// notifications in the browser list, by mail through a real SMTP receiver
// (Debian's python3-aiosmtpd writing a Maildir the test reads) and by
// webhook to a receiver in this test that checks the HMAC-SHA256 signature;
// the SMTP receiver stopped for a while loses nothing and doubles nothing;
// scope and TLP on what each person is told; bad input refused.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { createServer } from 'node:http';
import { createServer as netServer, connect } from 'node:net';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, sqlite3 } from '../lib/server.mjs';
import { test, before, after, Client, loginAs, file, assertProblem } from './helpers.mjs';

const dir = mkdtempSync(join(tmpdir(), 'ungcuu-notify-'));
const maildir = join(dir, 'maildir');
let server; let smtp; let smtpPort; let hook; let hookPort;
const hooks = [];           // { headers, body } as received
let admin; let duty; let dutyUser; let secret; let tam; let longhai;
const PW = 'Mat-khau-rat-dai-cho-truc-ban-17';

const freePort = () => new Promise((ok) => {
  const s = netServer().listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => ok(port)); });
});
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
// Waits for cond() (bounded: the test fails after `tries` rounds, never by a clock's measure).
async function until(what, cond, tries = 300) {
  for (let i = 0; i < tries; i++) {
    const v = await cond();
    if (v) return v;
    await sleep(100);
  }
  assert.fail(`never happened: ${what}`);
}

async function smtpStart() {
  smtp = spawn('/usr/bin/python3', ['-m', 'aiosmtpd', '-n', '-l', `127.0.0.1:${smtpPort}`, '-c', 'aiosmtpd.handlers.Mailbox', maildir],
    { stdio: ['ignore', 'ignore', 'pipe'] });
  await until('the SMTP receiver listens', () => new Promise((ok) => {
    const c = connect(smtpPort, '127.0.0.1', () => { c.destroy(); ok(true); });
    c.on('error', () => ok(false));
  }));
}
async function smtpStop() {
  const p = smtp;
  smtp = null;
  await new Promise((ok) => { p.once('exit', ok); p.kill('SIGTERM'); });
}

// The mails received: headers decoded (RFC 2047 subject, base64 body).
function mails() {
  let names = [];
  try { names = readdirSync(join(maildir, 'new')); } catch { return []; }
  return names.map((n) => {
    const raw = readFileSync(join(maildir, 'new', n), 'utf8');
    const [head, ...rest] = raw.split(/\r?\n\r?\n/);
    const h = {};
    for (const line of head.split(/\r?\n/)) {
      const m = /^([\w-]+):\s*(.*)$/.exec(line);
      if (m) h[m[1].toLowerCase()] = m[2];
    }
    const subj = (h.subject ?? '').replace(/=\?UTF-8\?B\?([^?]*)\?=/g, (_, b) => Buffer.from(b, 'base64').toString('utf8'));
    const body = Buffer.from(rest.join('\n').replace(/\s+/g, ''), 'base64').toString('utf8');
    return { to: h['x-rcptto'], id: h['message-id'], subject: subj, body, ctype: h['content-type'] };
  });
}
const mailsTo = (addr) => mails().filter((m) => m.to === addr);

before(async () => {
  smtpPort = await freePort();
  await smtpStart();
  hookPort = await freePort();
  hook = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => { hooks.push({ headers: req.headers, body: Buffer.concat(chunks) }); res.writeHead(204); res.end(); });
  });
  await new Promise((ok) => hook.listen(hookPort, '127.0.0.1', ok));
  const ini = join(dir, 'ungcuu.ini');
  writeFileSync(ini, `[notify]\nsmtp_url = smtp://127.0.0.1:${smtpPort}\nmail_from = ungcuu@pq.example.vn\n`
    + 'retry_base = 1s\nretry_max = 2s\nscan_every = 1s\ntimeout = 5s\n'
    // this test's receivers listen on loopback: that one address is allowed
    + 'webhook_allow = 127.0.0.1/32\n'
    + '[duty]\nbase_url = https://ungcuu.pq.example.vn/\nclock_lead = 30m\n');
  server = await startServer({ args: ['--config', ini] });
  admin = await loginAs(server, 'admin');
  tam = await loginAs(server, 'tamthanh');
  longhai = await loginAs(server, 'longhai');
  // the district's officer on duty, with a mailbox
  const r = await admin.post('/api/v1/users', { username: `trucban${process.pid}`, password: PW, org_code: 'pq',
    roles: ['coordinator', 'responder'], full_name: 'Cán bộ trực ban', email: `trucban${process.pid}@pq.example.vn` });
  assert.equal(r.status, 201, r.text);
  dutyUser = r.body;
  duty = new Client(server.url);
  assert.equal((await duty.login(`trucban${process.pid}`, PW)).status, 200);
});
after(async () => {
  await server?.stop();
  if (smtp) await smtpStop();
  hook?.close();
  rmSync(dir, { recursive: true, force: true });
});

test('roster: a shift for the district, who is on duty now, bad shifts refused with nothing stored', async () => {
  const s = await duty.post('/api/v1/duty/shifts', { org_code: 'pq', kind: 'weekly', start: '00:00', end: '24:00', primary_id: dutyUser.id, note: 'Trực 24/7' });
  assert.equal(s.status, 201, s.text);
  assert.deepEqual(s.body.days, [1, 2, 3, 4, 5, 6, 7]);
  const now = await tam.get('/api/v1/duty/now');
  assert.equal(now.status, 200);
  const pq = now.body.items.find((o) => o.code === 'pq');
  assert.equal(pq.primary.id, dutyUser.id, 'a commune sees who is on duty at the district it reports to');
  assert.equal(pq.backup, null);
  assert.ok(Array.isArray(pq.focal_points));
  const before = (await duty.get('/api/v1/duty/shifts?org_code=pq')).body.items.length;
  for (const [bad, field] of [
    [{ kind: 'weekly', start: '8:00', end: '17:00' }, '/start'],
    [{ kind: 'weekly', start: '08:00', end: '24:30' }, '/end'],
    [{ kind: 'weekly', start: '08:00', end: '17:00', days: ['thứ hai'] }, '/days'],
    [{ kind: 'exception', starts_at: '2026-12-24T18:00:00+07:00', ends_at: '2026-12-24T08:00:00+07:00' }, '/ends_at'],
    [{ kind: 'weekly', start: '08:00', end: '17:00', backup_id: dutyUser.id }, '/backup_id'],
    [{ kind: 'monthly' }, '/kind'],
    [{ kind: 'weekly', start: '08:00', end: '17:00', note: 'x'.repeat(5000) }, '/note'],
  ]) {
    const r = await duty.post('/api/v1/duty/shifts', { org_code: 'pq', primary_id: dutyUser.id, ...bad });
    assertProblem(r, 422);
    assert.ok(r.body.errors.some((e) => e.pointer === field), `${JSON.stringify(bad)}: ${r.text}`);
  }
  // a commune's person cannot stand the district's duty; a commune cannot put the district's roster
  assertProblem(await duty.post('/api/v1/duty/shifts', { org_code: 'pq', kind: 'weekly', start: '08:00', end: '17:00', primary_id: tam.user.id }), 422);
  assertProblem(await tam.post('/api/v1/duty/shifts', { org_code: 'pq', kind: 'weekly', start: '08:00', end: '17:00', primary_id: tam.user.id }), 422);
  // bad UTF-8 and wrong types
  assertProblem(await duty.post('/api/v1/duty/shifts', Buffer.from([0x7b, 0x22, 0x6f, 0x72, 0x67, 0x5f, 0x63, 0x6f, 0x64, 0x65, 0x22, 0x3a, 0x22, 0xff, 0x22, 0x7d]), { 'Content-Type': 'application/json' }), 400);
  assertProblem(await duty.post('/api/v1/duty/shifts', { org_code: 'pq', kind: 'weekly', primary_id: 7 }), 422);
  assert.equal((await duty.get('/api/v1/duty/shifts?org_code=pq')).body.items.length, before);
});

test('preferences: channels per event, a webhook with its key shown once; bad ones refused', async () => {
  const d = await duty.get('/api/v1/account/notifications');
  assert.deepEqual(d.body.channels['incident.new'], ['web', 'email'], 'default: the browser and mail');
  assert.equal(d.body.webhook, null);
  const r = await duty.req('PUT', '/api/v1/account/notifications', { channels: { 'incident.new': ['web', 'email', 'webhook'] },
    webhook: { url: `http://127.0.0.1:${hookPort}/chat` } });
  assert.equal(r.status, 200, r.text);
  secret = r.body.webhook.secret;
  assert.match(secret, /^[0-9a-f]{64}$/);
  const again = await duty.get('/api/v1/account/notifications');
  assert.equal(again.body.webhook.secret, undefined, 'the key is never shown again');
  // sealed at rest under the instance key: the database alone does not give it
  const kept = sqlite3(['-cmd', '.timeout 5000', server.db, `SELECT secret FROM notify_webhooks WHERE user_id = '${dutyUser.id}'`], { encoding: 'utf8' }).trim();
  assert.match(kept, /^s1:[0-9a-f]+$/);
  assert.ok(!kept.includes(secret));
  for (const bad of [
    { channels: { 'incident.new': ['pigeon'] } },
    { channels: { 'nothing.happened': ['web'] } },
    { channels: { 'incident.new': 'web' } },
    { webhook: { url: 'ftp://127.0.0.1/x' } },
    { webhook: { url: 'http://127.0.0.1/a b' } },
    { webhook: { url: `http://x/${'a'.repeat(1200)}` } },
  ]) assertProblem(await duty.req('PUT', '/api/v1/account/notifications', bad), 422);
  assert.deepEqual((await duty.get('/api/v1/account/notifications')).body.channels['incident.new'], ['web', 'email', 'webhook']);
});

test('a new incident reaches the officer on duty in the browser, by mail and by signed webhook; TLP keeps a RED title out of mail', async () => {
  const green = await file(tam, { title: 'Trang web xã bị thay đổi giao diện', tlp: 'GREEN' });
  const red = await file(tam, { title: 'Bí mật: hộp thư lãnh đạo bị chiếm', tlp: 'RED' });
  // queued with the incident itself: there as soon as it is filed
  const list = (await duty.get('/api/v1/notifications?unread=1&limit=200')).body.items.filter((x) => x.event === 'incident.new');
  assert.ok(list.some((x) => x.record.id === red.id));
  const n = list.find((x) => x.record.id === green.id);
  assert.equal(n.event, 'incident.new');
  assert.match(n.title, /Sự cố mới/);
  assert.match(n.title, /Trang web xã/);
  assert.equal(n.link, `/#/incidents/${green.id}`);
  // mail
  const addr = `trucban${process.pid}@pq.example.vn`;
  // (the demo's overdue clocks reach the officer too: pick these two out)
  const about = (id) => mailsTo(addr).filter((m) => m.body.includes(id) && /Sự cố mới/.test(m.subject));
  const got = await until('both mails', () => (about(green.id).length && about(red.id).length ? mailsTo(addr) : null));
  const [gm] = about(green.id);
  const [rm] = about(red.id);
  assert.ok(gm && rm, JSON.stringify(got.map((m) => m.subject)));
  assert.match(gm.subject, /Sự cố mới .*Trang web xã bị thay đổi giao diện/);
  assert.match(gm.body, /https:\/\/ungcuu\.pq\.example\.vn\/#\/incidents\//);
  assert.match(gm.body, /New incident/);
  assert.match(gm.ctype, /charset=UTF-8/);
  assert.ok(!rm.subject.includes('Bí mật') && !rm.body.includes('Bí mật'), 'a RED title never leaves by mail');
  assert.match(rm.subject, /TLP RED/);
  // webhook: signed with the person's key
  const hookAbout = (id) => hooks.filter((h) => JSON.parse(h.body).record.id === id);
  const hs = await until('two webhooks', () => (hookAbout(green.id).length && hookAbout(red.id).length ? [...hookAbout(green.id), ...hookAbout(red.id)] : null));
  for (const h of hs) {
    const want = createHmac('sha256', secret).update(h.body).digest('hex');
    assert.equal(h.headers['x-ungcuu-signature'], `sha256=${want}`);
    const j = JSON.parse(h.body);
    assert.equal(j.event, 'incident.new');
    assert.ok(!h.body.toString().includes('Bí mật'));
  }
  // scope: another commune's people are told nothing about Tam Thanh's incidents
  const other = (await longhai.get('/api/v1/notifications?limit=200')).body.items;
  assert.ok(!other.some((x) => x.record.id === green.id || x.record.id === red.id));
  // one's own only: another person's notification is "not found"
  assertProblem(await longhai.post(`/api/v1/notifications/${n.id}/read`), 404);
  assertProblem(await longhai.post('/api/v1/notifications/nonsense/read'), 404);
  assert.equal((await duty.post(`/api/v1/notifications/${n.id}/read`)).status, 204);
  assert.ok(!(await duty.get('/api/v1/notifications?unread=1&limit=200')).body.items.some((x) => x.id === n.id));
  assert.equal((await duty.post('/api/v1/notifications/all/read')).status, 204);
  assert.equal((await duty.get('/api/v1/notifications/count')).body.unread, 0);
  // the delivery log: administrators only
  assertProblem(await duty.get('/api/v1/deliveries'), 403);
  const log = (await admin.get('/api/v1/deliveries?limit=50')).body.items;
  assert.ok(log.some((d) => d.channel === 'email' && d.status === 'sent' && d.target === addr));
  assert.ok(log.some((d) => d.channel === 'webhook' && d.status === 'sent'));
  assertProblem(await admin.get('/api/v1/deliveries?status=lost'), 422);
});

test('the SMTP receiver down for a while: mail waits, is retried with the reason recorded, then arrives once each', async () => {
  const addr = `trucban${process.pid}@pq.example.vn`;
  await smtpStop();
  const made = [];
  for (let k = 0; k < 5; k++) made.push(await file(tam, { title: `Sự cố khi máy chủ thư ngừng ${k}`, tlp: 'GREEN' }));
  const ours = (m) => made.some((i) => m.body.includes(i.id)) && /Sự cố mới/.test(m.subject);
  const queued = async () => (await admin.get('/api/v1/deliveries?status=queued&limit=500')).body.items
    .filter((d) => d.channel === 'email' && d.target === addr && /Sự cố khi máy chủ thư ngừng/.test(d.subject));
  // the worker tried, failed, recorded why, and keeps them queued
  await until('failed attempts recorded', async () => {
    const q = await queued();
    return q.length === 5 && q.every((d) => d.attempts >= 1 && d.last_error) ? q : null;
  });
  assert.equal(mailsTo(addr).filter(ours).length, 0);
  await smtpStart();
  await until('all mail after the outage', () => mailsTo(addr).filter(ours).length >= 5);
  await until('none of them left queued', async () => (await queued()).length === 0);
  await sleep(1500);   // a few more rounds of the worker: nothing comes twice
  const all = mailsTo(addr);
  for (const i of made) assert.equal(all.filter((m) => m.body.includes(i.id) && /Sự cố mới/.test(m.subject)).length, 1, i.number);
  const ids = all.map((m) => m.id);
  assert.equal(new Set(ids).size, ids.length, 'one Message-ID once');
  const sent = (await admin.get('/api/v1/deliveries?status=sent&limit=500')).body.items.filter((d) => d.channel === 'email' && d.target === addr);
  assert.ok(sent.some((d) => d.attempts >= 2), 'retried deliveries show their attempts');
});

test('assignment tells the person assigned', async () => {
  const i = await file(tam, { title: 'Máy trạm nhiễm mã độc' });
  const co = await loginAs(server, 'dieuphoi');
  const r = await co.post(`/api/v1/incidents/${i.id}/assignees`, { user_id: dutyUser.id });
  assert.equal(r.status, 201, r.text);
  const l = (await duty.get('/api/v1/notifications?unread=1')).body.items;
  assert.ok(l.some((x) => x.event === 'incident.assigned' && x.record.id === i.id));
});

test('a webhook that hangs holds back neither mail nor the API; its send gives up at the time limit and is retried', async () => {
  // a receiver that accepts the connection and never answers
  const held = [];
  const hang = netServer((c) => { held.push(c); c.on('error', () => {}); });
  const hangPort = await new Promise((ok) => hang.listen(0, '127.0.0.1', () => ok(hang.address().port)));
  try {
    const r = await admin.post('/api/v1/users', { username: `treo${process.pid}`, password: PW, org_code: 'pq', roles: ['coordinator'] });
    assert.equal(r.status, 201, r.text);
    const slow = new Client(server.url);
    assert.equal((await slow.login(`treo${process.pid}`, PW)).status, 200);
    const p = await slow.req('PUT', '/api/v1/account/notifications', { channels: { 'incident.new': ['web', 'webhook'] },
      webhook: { url: `http://127.0.0.1:${hangPort}/never` } });
    assert.equal(p.status, 200, p.text);
    const i = await file(tam, { title: 'Sự cố khi webhook bị treo', tlp: 'GREEN' });
    await until('the hanging receiver was called', () => held.length > 0);
    // while that send hangs: the API answers and mail goes out
    assert.equal((await duty.get('/api/v1/notifications/count')).status, 200);
    const addr = `trucban${process.pid}@pq.example.vn`;
    await until('mail while a webhook hangs', () => mailsTo(addr).some((m) => m.body.includes(i.id)));
    // the time limit (5 s here) ends the send: recorded, queued again
    const d = await until('the hung send recorded', async () => (await admin.get('/api/v1/deliveries?status=queued&limit=500')).body.items
      .find((x) => x.channel === 'webhook' && x.target.includes(String(hangPort)) && x.attempts >= 1));
    assert.match(d.last_error, /[Tt]ime/);
  } finally {
    for (const c of held) c.destroy();
    hang.close();
  }
});

test('webhooks may not reach loopback, private, link-local, multicast or metadata addresses, in any spelling, at save time and again at send time', async () => {
  const r = await admin.post('/api/v1/users', { username: `ssrf${process.pid}`, password: PW, org_code: 'pq', roles: ['coordinator'] });
  assert.equal(r.status, 201, r.text);
  const who = new Client(server.url);
  assert.equal((await who.login(`ssrf${process.pid}`, PW)).status, 200);
  const put = (url) => who.req('PUT', '/api/v1/account/notifications', { channels: { 'incident.new': ['web', 'webhook'] }, webhook: { url } });
  for (const [url, shown] of [
    ['http://127.0.0.2/hook', '127.0.0.2'],                      // loopback beyond the one address allowed
    ['http://2130706434/', '127.0.0.2'],                          // decimal
    ['http://0177.0.0.2/', '127.0.0.2'],                          // octal
    ['http://0x7f.0.0.2/', '127.0.0.2'],                          // hex
    ['http://[::ffff:127.0.0.2]/', '127.0.0.2'],                  // IPv4-mapped
    ['http://[::1]/', '::1'],
    ['http://10.0.0.1/', '10.0.0.1'], ['http://172.16.5.4/', '172.16.5.4'], ['http://192.168.1.1/', '192.168.1.1'],
    ['http://169.254.169.254/latest/meta-data/', '169.254.169.254'],
    ['http://[fd00:ec2::254]/', 'fd00:ec2::254'],
    ['http://[fe80::1]/', 'fe80::1'], ['http://224.0.0.1/', '224.0.0.1'], ['http://[ff02::1]/', 'ff02::1'],
    ['http://0.0.0.0/', '0.0.0.0'],
  ]) {
    const x = await put(url);
    assertProblem(x, 422, '/webhook/url');
    const m = x.body.errors.find((e) => e.pointer === '/webhook/url').detail;
    assert.ok(m.includes(shown) && /webhook_allow/.test(m), `${url}: ${m}`);
    // the reader's language only: the network by its CIDR, no English class word
    assert.ok(!/loopback|private|link-local|multicast|reserved|unspecified|metadata/i.test(m), `${url}: ${m}`);
  }
  // a name that does not resolve is refused with its own reason, named by the host alone
  const nx = await put('http://no-such-host.invalid/hook');
  assertProblem(nx, 422, '/webhook/url');
  const nm = nx.body.errors.find((e) => e.pointer === '/webhook/url').detail;
  assert.ok(nm.includes('(no-such-host.invalid)') && !/resolve/.test(nm), nm);
  assert.equal((await who.get('/api/v1/account/notifications')).body.webhook, null, 'nothing stored');
  // the allowed receiver is accepted ...
  assert.equal((await put(`http://127.0.0.1:${hookPort}/ok`)).status, 200);
  // ... and if the stored address leads somewhere refused by the time of the send
  // (written behind the API's back, as a name re-pointed would), the send is refused
  // for good with the reason, and nothing reaches that address
  const uid = r.body.id;
  sqlite3(['-cmd', '.timeout 5000', server.db, `UPDATE notify_webhooks SET url = 'http://127.0.0.2:${hookPort}/rebound' WHERE user_id = '${uid}'`]);
  const before = hooks.length;
  const i = await file(tam, { title: 'Sự cố thử chặn webhook', tlp: 'GREEN' });
  const d = await until('the refused send recorded', async () => (await admin.get('/api/v1/deliveries?status=failed&limit=500')).body.items
    .find((x) => x.channel === 'webhook' && x.target.includes('/rebound')));
  assert.match(d.last_error, /refused: 127\.0\.0\.2: loopback/);
  assert.equal(d.attempts, 1, 'not retried');
  assert.ok(!hooks.slice(before).some((h) => h.body.toString().includes(i.id) && h.headers['x-ungcuu-delivery'] === d.id));
});

test('without webhook_allow even the loopback receiver is refused', async () => {
  const bare = await startServer();
  try {
    const a = await loginAs(bare, 'admin');
    const x = await a.req('PUT', '/api/v1/account/notifications', { webhook: { url: `http://127.0.0.1:${hookPort}/chat` } });
    assertProblem(x, 422, '/webhook/url');
    assert.match(x.body.errors[0].detail, /127\.0\.0\.1/);
    // a name that resolves to loopback: refused after resolution
    const n = await a.req('PUT', '/api/v1/account/notifications', { webhook: { url: `http://localhost:${hookPort}/chat` } });
    assertProblem(n, 422, '/webhook/url');
    assert.match(n.body.errors[0].detail, /127\.0\.0\.1|::1/);
    assert.equal((await a.get('/api/v1/account/notifications')).body.webhook, null);
  } finally {
    await bare.stop();
  }
});
