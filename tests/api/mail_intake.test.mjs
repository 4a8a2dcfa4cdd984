// Reports that arrive by email (issue 17 item 5, h/mail), through the
// binary as Postfix's pipe transport would run it (`ungcuu intake email
// --db PATH < message`) and through a Maildir, against a real server that
// the people then use: a report from a known contact becomes a received
// incident of that organisation with the Mẫu 03 fields read and the
// attachments kept with their SHA-256, the sender gets the number by SMTP
// (a small SMTP receiver started here on 127.0.0.1), a reply in the thread
// becomes a comment, a stranger waits in triage where a coordinator accepts
// or rejects, and every kind of bad mail is quarantined with its reason and
// files nothing. Samples: tests/data/mail/*.eml (QP Vietnamese, ISO-8859-1,
// windows-1258, multipart with attachments, a reply).
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bin, root, startServer } from '../lib/server.mjs';
import {
  after, assertProblem, before, countIncidents, getIncident, loginAs, run, sha256, test,
} from './helpers.mjs';

const T = { timeout: 120_000 };
const data = join(root, 'tests', 'data', 'mail');
const dir = mkdtempSync(join(tmpdir(), 'ungcuu-mail-'));
let srv;
let coord;   // dieuphoi: coordinator of the district, the home organisation
let smtp;

// A minimal SMTP receiver: every message kept as {from, to, data}; on a
// given port (0: any), so it can stop and start again where the server
// sends.
function smtpReceiver(port = 0, got = []) {
  const socks = new Set();
  const server = createServer((sock) => {
    socks.add(sock);
    sock.on('close', () => socks.delete(sock));
    let buf = '';
    let inData = false;
    let cur = { to: [] };
    sock.write('220 test ESMTP\r\n');
    sock.on('data', (chunk) => {
      buf += chunk.toString('latin1');
      for (;;) {
        if (inData) {
          const end = buf.indexOf('\r\n.\r\n');
          if (end < 0) return;
          cur.data = Buffer.from(buf.slice(0, end), 'latin1').toString('utf8');
          got.push(cur);
          cur = { to: [] };
          buf = buf.slice(end + 5);
          inData = false;
          sock.write('250 queued\r\n');
          continue;
        }
        const nl = buf.indexOf('\r\n');
        if (nl < 0) return;
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 2);
        const cmd = line.slice(0, 4).toUpperCase();
        if (cmd === 'EHLO' || cmd === 'HELO') sock.write('250 test\r\n');
        else if (cmd === 'MAIL') { cur.from = line; sock.write('250 ok\r\n'); }
        else if (cmd === 'RCPT') { cur.to.push(line); sock.write('250 ok\r\n'); }
        else if (cmd === 'DATA') { inData = true; sock.write('354 go\r\n'); }
        else if (cmd === 'QUIT') { sock.write('221 bye\r\n'); sock.end(); }
        else sock.write('250 ok\r\n');
      }
    });
    sock.on('error', () => {});
  });
  return new Promise((resolve) => server.listen(port, '127.0.0.1', () => resolve({
    // closing also drops the connection the server's worker keeps open
    got, port: server.address().port, close: () => new Promise((r) => { server.close(r); for (const k of socks) k.destroy(); }),
  })));
}

// The server's configuration, which the intake reads too: the server's
// delivery worker sends the replies through this SMTP server, from the
// intake address, retrying after a second.
function config(port) {
  const p = join(dir, `mail-${port}.ini`);
  writeFileSync(p, `[notify]\nsmtp_url = smtp://127.0.0.1:${port}\nmail_from = ungcuu@phuquy.binhthuan.gov.vn\n`
    + 'retry_base = 1s\nretry_max = 2s\n[mail]\naddress = baocao@phuquy.binhthuan.gov.vn\n');
  return p;
}
// Waits for cond() (bounded rounds, never a clock's measure).
async function until(what, cond, tries = 300) {
  for (let k = 0; k < tries; k++) {
    const v = await cond();
    if (v) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`gave up waiting: ${what}`);
}
// A mail as received: headers, the subject and the body decoded.
function decoded(m) {
  const [head, ...rest] = m.data.split(/\r?\n\r?\n/);
  const subj = /Subject: =\?UTF-8\?B\?([^?]+)\?=/.exec(head);
  return { head, subject: subj ? Buffer.from(subj[1], 'base64').toString('utf8') : '',
    body: Buffer.from(rest.join('\n').replace(/\s+/g, ''), 'base64').toString('utf8') };
}
const repliesTo = (addr) => smtp.got.filter((m) => m.to.some((t) => t.includes(addr)));

// `ungcuu intake email` with a message on stdin: { status, out, stderr }.
function intake(input, args = []) {
  const r = run(['intake', 'email', '--db', srv.db, '--json', ...args],
    { input, env: { UNGCUU_LANG: 'en' }, timeout: 60_000, maxBuffer: 64 << 20 });
  let out = null;
  try { out = JSON.parse(r.stdout); } catch { /* asserted by the caller */ }
  return { status: r.status, out, stderr: r.stderr, one: out?.messages?.[0] };
}
const eml = (name) => readFileSync(join(data, name));

// The same without blocking this process: the SMTP receiver above runs in
// it and must answer while the binary sends.
function intakeAsync(input, args = []) {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, ['intake', 'email', '--db', srv.db, '--json', ...args],
      { env: { ...process.env, UNGCUU_LANG: 'en' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    child.on('error', reject);
    child.on('close', (status) => {
      let out = null;
      try { out = JSON.parse(stdout); } catch { /* asserted by the caller */ }
      resolve({ status, out, stderr, one: out?.messages?.[0] });
    });
    child.stdin.end(input);
  });
}

before(async () => {
  smtp = await smtpReceiver();
  srv = await startServer({ args: ['--config', config(smtp.port)] });
  coord = await loginAs(srv, 'dieuphoi');
});
after(async () => {
  await srv?.stop();
  await smtp?.close();
  rmSync(dir, { recursive: true, force: true });
});

let first;   // the incident of report_multipart.eml

test('a [TBSC] report with attachments from a known contact becomes a received incident of its organisation; the server sends the sender the number by SMTP', T, async () => {
  const before = await countIncidents(coord);
  const sent = repliesTo('phuquy@vnpt.vn').length;
  const r = await intakeAsync(eml('report_multipart.eml'), ['--config', config(smtp.port)]);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.one.outcome, 'incident', JSON.stringify(r.out));
  assert.equal(r.one.tbsc, true);
  assert.equal(r.out.replies_queued, 1, 'queued with the incident; the server sends it');
  assert.equal(await countIncidents(coord), before + 1);
  const inc = await getIncident(coord, r.one.incident_id);
  first = inc;
  assert.equal(inc.status, 'received');
  assert.equal(inc.number, r.one.number);
  assert.equal(inc.org.code, 'pq-vnpt');       // phuquy@vnpt.vn is the demo's VNPT contact
  // the Mẫu 03 headings, read (quoted-printable UTF-8)
  assert.equal(inc.title, 'Giao diện cổng thông tin bị thay đổi');
  assert.equal(inc.type, 'defacement');
  assert.equal(inc.reporter.name, 'Huỳnh Văn Em');
  assert.equal(inc.contact.email, 'hoa@vnpt.vn');
  assert.equal(inc.system.operator, 'VNPT Phú Quý');
  assert.equal(inc.system.level, 2);
  assert.deepEqual(inc.system.ips, ['203.0.113.10', '203.0.113.11']);
  assert.equal(inc.handling_status, 'not_handled');
  assert.equal(inc.detection_method.kind, 'log_review');
  assert.deepEqual(inc.notified, ['network_member', 'coordinator']);
  assert.deepEqual(inc.details.services, ['web', 'db']);
  assert.equal(inc.confidential, true);
  assert.equal(inc.detected_at, '2026-12-05T15:15:00.000Z');   // 22:15 in Vietnam
  assert.match(inc.description, /Trang chủ bị thay bằng nội dung lạ lúc 22 giờ/);
  assert.equal(inc.support_needed, 'Cần hỗ trợ phân tích mã độc trên máy chủ web.');
  // the attachments, byte for byte, with their SHA-256
  const log = Buffer.from('2026-12-05T22:14:59 GET /index.php?cmd=wget 203.0.113.99 200\n'.repeat(20));
  const atts = inc.attachments;
  assert.equal(atts.length, 2);
  const a = atts.find((x) => x.name === 'access.log');
  assert.equal(a.sha256, sha256(log));
  assert.ok(atts.find((x) => x.name === 'ảnh chụp.png'));
  const got = await coord.req('GET', `/api/v1/incidents/${inc.id}/attachments/${a.id}`);
  assert.equal(got.status, 200);
  assert.equal(sha256(Buffer.from(got.text)), a.sha256);
  // the reply, sent by the server's worker: to the sender, from the intake
  // address, the number in the subject, in the thread
  const m = await until('the reply', () => repliesTo('phuquy@vnpt.vn')[sent]);
  const d = decoded(m);
  assert.match(d.head, /In-Reply-To: <report-1@vnpt\.vn>/);
  assert.match(d.head, /From: .*<baocao@phuquy\.binhthuan\.gov\.vn>/);
  assert.match(d.head, /Auto-Submitted: auto-replied/);
  assert.equal(d.subject, `[TBSC] Đã tiếp nhận báo cáo sự cố ${inc.number}`);
  assert.match(d.body, new RegExp(inc.number));
  // the delivery log shows it sent, for an administrator
  const admin = await loginAs(srv, 'admin');
  const sentLog = await until('the reply in the delivery log', async () => (await admin.get('/api/v1/deliveries?limit=100')).body.items
    .find((x) => x.event === 'intake.reply' && x.status === 'sent' && x.target === 'phuquy@vnpt.vn'));
  assert.equal(sentLog.notification_id, null);
  // the organisation's own people see it, a commune beside it does not
  const tam = await loginAs(srv, 'tamthanh');
  assertProblem(await tam.get(`/api/v1/incidents/${inc.id}`), 404);
  // the same message again (the MTA retried): nothing new
  const again = intake(eml('report_multipart.eml'));
  assert.equal(again.one.outcome, 'duplicate');
  assert.equal(await countIncidents(coord), before + 1);
});

test('a reply in the thread is a comment; a stranger answering in the same thread waits in triage and sees nothing', T, async () => {
  const r = intake(eml('reply.eml'));
  assert.equal(r.one.outcome, 'comment', JSON.stringify(r.out));
  assert.equal(r.one.incident_id, first.id);
  let inc = await getIncident(coord, first.id);
  const c = inc.comments.at(-1);
  assert.match(c.body, /Đã khôi phục trang chủ từ bản sao lưu/);
  assert.doesNotMatch(c.body, /Báo cáo cũ/);     // the quoted part is not repeated
  const s = intake(eml('stranger_reply.eml'));
  assert.equal(s.one.outcome, 'triage');
  assert.equal(s.one.incident_id, undefined);
  assert.doesNotMatch(JSON.stringify(s.out), new RegExp(first.number));
  inc = await getIncident(coord, first.id);
  assert.equal(inc.comments.length, 1);
  // the number in a stranger's subject is no way in either
  const byNumber = intake(Buffer.from(`From: <x@example.org>\r\nSubject: Re: ${first.number}\r\nMessage-ID: <n1@example.org>\r\n\r\nhi\r\n`));
  assert.equal(byNumber.one.outcome, 'triage');
  assert.equal((await getIncident(coord, first.id)).comments.length, 1);
});

test('ISO-8859-1 and windows-1258 bodies are converted to UTF-8 (NFC); the subject without [TBSC] is the title', T, async () => {
  const l = intake(eml('latin1.eml'));
  assert.equal(l.one.outcome, 'incident', JSON.stringify(l.out));
  const li = await getIncident(coord, l.one.incident_id);
  assert.equal(li.org.code, 'pq-viettel');
  assert.match(li.description, /le serveur de messagerie a été compromis\. Détecté à 08:00/);
  assert.equal(li.title, 'Serveur compromis');
  const w = intake(eml('windows1258.eml'));
  assert.equal(w.one.outcome, 'incident', JSON.stringify(w.out));
  const wi = await getIncident(coord, w.one.incident_id);
  assert.equal(wi.org.code, 'pq');
  assert.equal(wi.title, 'Mã độc');
  assert.match(wi.description, /Máy chủ thư điện tử của xã bị nhiễm mã độc tống tiền\./);
  assert.equal(wi.description, wi.description.normalize('NFC'));
  assert.equal(wi.system.operator, 'UBND xã Tam Thanh');
});

test('what the sender wrote wrong under a heading does not refuse the report: a future date, a level 9, an overlong system name', T, async () => {
  const r = intake(Buffer.from(['From: <phuquy@vnpt.vn>', 'Subject: [TBSC] Ghi sai', 'Message-ID: <sai-1@vnpt.vn>',
    'Content-Type: text/plain; charset=utf-8', '', '3. Thông tin về hệ thống', `Tên hệ thống: ${'Hệ thống '.repeat(60)}`,
    'Cấp độ: 9', 'Ngày phát hiện (*): 01/01/2099        Thời gian phát hiện (giờ:phút) (*): 10:00', ''].join('\r\n')));
  assert.equal(r.one.outcome, 'incident', JSON.stringify(r.out));
  const inc = await getIncident(coord, r.one.incident_id);
  assert.ok(Date.parse(inc.detected_at) <= Date.now());
  assert.equal(inc.system?.level, undefined);
  assert.equal(inc.system?.name, undefined);
});

test('a stranger\'s report waits in triage; a coordinator accepts it into an organisation (attachments kept, sender answered) or rejects it; decided once', T, async () => {
  const s = intake(eml('stranger.eml'));
  assert.equal(s.one.outcome, 'triage');
  const list = await coord.get('/api/v1/mail/triage');
  assert.equal(list.status, 200);
  const item = list.body.items.find((x) => x.id === s.one.triage_id);
  assert.equal(item.sender, 'someone@example.org');
  assert.equal(item.status, 'open');
  // a commune's people cannot see or decide it
  const tam = await loginAs(srv, 'tamthanh');
  assertProblem(await tam.get('/api/v1/mail/triage'), 403);
  assertProblem(await tam.post(`/api/v1/mail/triage/${item.id}/accept`, { org_code: 'pq-tamthanh' }), 403);
  // an organisation outside the coordinator's scope, an empty body: 422, nothing filed
  const n0 = await countIncidents(coord);
  assertProblem(await coord.post(`/api/v1/mail/triage/${item.id}/accept`, { org_code: 'vncert' }), 422, '/org_code');
  assertProblem(await coord.post(`/api/v1/mail/triage/${item.id}/accept`, {}), 422, '/org_code');
  assert.equal(await countIncidents(coord), n0);
  const acc = await coord.post(`/api/v1/mail/triage/${item.id}/accept`, { org_code: 'pq-tamthanh' });
  assert.equal(acc.status, 200, acc.text);
  assert.equal(acc.body.status, 'accepted');
  const inc = await getIncident(coord, acc.body.incident_id);
  assert.equal(inc.org.code, 'pq-tamthanh');
  assert.equal(inc.number, acc.body.number);
  assert.match(inc.description, /Please look at our site/);
  assertProblem(await coord.post(`/api/v1/mail/triage/${item.id}/accept`, { org_code: 'pq-tamthanh' }), 409);
  assertProblem(await coord.post(`/api/v1/mail/triage/${item.id}/reject`, { reason: 'x' }), 409);
  // now in the thread: the stranger's next reply... still a stranger: triage
  const r2 = intake(Buffer.from('From: <someone@example.org>\r\nSubject: Re: x\r\nMessage-ID: <s3@example.org>\r\nIn-Reply-To: <stranger-1@example.org>\r\n\r\nmore\r\n'));
  assert.equal(r2.one.outcome, 'triage');
  // rejecting another
  const t2 = intake(Buffer.from('From: <spam@example.net>\r\nSubject: [TBSC] win\r\nMessage-ID: <sp@example.net>\r\n\r\nbuy\r\n')).one.triage_id;
  const rej = await coord.post(`/api/v1/mail/triage/${t2}/reject`, { reason: 'Thư rác' });
  assert.equal(rej.status, 200, rej.text);
  assert.equal(rej.body.status, 'rejected');
  assert.equal(rej.body.incident_id, null);
  assertProblem(await coord.get('/api/v1/mail/triage/not-an-id'), 404);
});

test('bad mail is quarantined with a clear reason, never half an incident: charsets, bad UTF-8 headers, no sender, 10,000 parts, deep nesting, huge attachment, oversized message', T, async () => {
  const n0 = await countIncidents(coord);
  const cases = [
    [eml('unknown_charset.eml'), 'charset', /x-no-such-charset/],
    [eml('bad_utf8_body.eml'), 'charset', /utf-8/],
    [eml('bad_utf8_header.eml'), 'bad_header', /Subject/],
    [eml('no_sender.eml'), 'no_sender', /From/],
  ];
  // 10,000 parts from a known contact
  let many = 'From: <phuquy@vnpt.vn>\r\nSubject: [TBSC] nhiều phần\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n';
  for (let i = 0; i < 10000; i++) many += `--b\r\nContent-Type: text/plain\r\n\r\npart ${i}\r\n`;
  cases.push([Buffer.from(`${many}--b--\r\n`), 'too_many_parts', /200/]);
  let deep = 'From: <phuquy@vnpt.vn>\r\nSubject: [TBSC] lồng sâu\r\n';
  for (let i = 0; i < 5000; i++) deep += `Content-Type: multipart/mixed; boundary=d${i}\r\n\r\n--d${i}\r\n`;
  cases.push([Buffer.from(`${deep}Content-Type: text/plain\r\n\r\nx\r\n`), 'too_many_parts', /./]);
  // a 21 MiB attachment (the default bound is 20 MiB)
  const big = Buffer.alloc(21 << 20, 7).toString('base64').replace(/.{76}/g, '$&\r\n');
  cases.push([Buffer.from(`From: <phuquy@vnpt.vn>\r\nSubject: [TBSC] tệp lớn\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nxem tệp\r\n--b\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment; filename=big.bin\r\nContent-Transfer-Encoding: base64\r\n\r\n${big}\r\n--b--\r\n`),
    'attachment_too_large', /big\.bin/]);
  // more than the whole message bound (32 MiB): read to its end, refused
  cases.push([Buffer.concat([Buffer.from('From: <phuquy@vnpt.vn>\r\nSubject: x\r\n\r\n'), Buffer.alloc(33 << 20, 0x61)]), 'too_large', /33554432/]);
  for (const [input, reason, detail] of cases) {
    const r = intake(input);
    assert.equal(r.status, 0, `${reason}: ${r.stderr}`);
    assert.equal(r.one.outcome, 'quarantine', `${reason}: ${JSON.stringify(r.out)}`);
    assert.equal(r.one.reason, reason);
    assert.match(r.one.detail, detail);
  }
  assert.equal(await countIncidents(coord), n0);
  const q = await coord.get('/api/v1/mail/quarantine');
  assert.equal(q.status, 200);
  const reasons = q.body.items.map((x) => x.reason);
  for (const [, reason] of cases) assert.ok(reasons.includes(reason), reason);
  assert.ok(q.body.items.some((x) => x.size > (33 << 20)));
});

test('a Maildir is read once: new/ -> cur/ with the seen flag; a message put back after a crash is not filed twice', T, async () => {
  const md = join(dir, 'Maildir');
  for (const d of ['new', 'cur', 'tmp']) mkdirSync(join(md, d), { recursive: true });
  writeFileSync(join(md, 'new', '1.host'), 'From: <phuquy@viettel.com.vn>\r\nSubject: [TBSC] Maildir 1\r\nMessage-ID: <md1@viettel>\r\n\r\nmột\r\n');
  writeFileSync(join(md, 'new', '2.host'), 'From: <nobody@example.org>\r\nSubject: [TBSC] Maildir 2\r\nMessage-ID: <md2@example>\r\n\r\nhai\r\n');
  const n0 = await countIncidents(coord);
  const r = intake(Buffer.alloc(0), ['--maildir', md]);
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(r.out.messages.map((m) => m.outcome).sort(), ['incident', 'triage']);
  assert.deepEqual(readdirSync(join(md, 'new')), []);
  assert.deepEqual(readdirSync(join(md, 'cur')).sort(), ['1.host:2,S', '2.host:2,S']);
  assert.equal(await countIncidents(coord), n0 + 1);
  // as if the run had died between filing and moving
  copyFileSync(join(md, 'cur', '1.host:2,S'), join(md, 'new', '1.host'));
  const again = intake(Buffer.alloc(0), ['--maildir', md]);
  assert.equal(again.one.outcome, 'duplicate');
  assert.equal(await countIncidents(coord), n0 + 1);
  assert.ok(!existsSync(join(md, 'new', '1.host')));
  // a Maildir that is not there: a clear error
  const bad = intake(Buffer.alloc(0), ['--maildir', join(dir, 'khong-co')]);
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /khong-co/);
});

test('SMTP down: the reply stays queued with its reason, is retried by the server and arrives once; no database: exit 75 for the MTA to retry; --help', T, async () => {
  const admin = await loginAs(srv, 'admin');
  const port = smtp.port;
  await smtp.close();
  const r = await intakeAsync(Buffer.from('From: <phuquy@viettel.com.vn>\r\nSubject: [TBSC] khi SMTP ngừng\r\nMessage-ID: <down1@viettel>\r\n\r\nx\r\n'), ['--config', config(port)]);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.one.outcome, 'incident');
  assert.equal(r.out.replies_queued, 1);
  // the worker tried, failed, recorded why, and keeps it queued
  const mine = async (status) => (await admin.get(`/api/v1/deliveries?status=${status}&limit=200`)).body.items
    .find((x) => x.event === 'intake.reply' && x.target === 'phuquy@viettel.com.vn' && x.id === r.one.reply_id);
  // the reply in this message's thread (the address had others before)
  const downReplies = () => repliesTo('phuquy@viettel.com.vn').filter((m) => m.data.includes('In-Reply-To: <down1@viettel>'));
  const q = await until('a failed attempt recorded', async () => {
    const x = await mine('queued');
    return x && x.attempts >= 1 && x.last_error ? x : null;
  });
  assert.ok(q.next_at, 'a next try is planned');
  assert.equal(downReplies().length, 0);
  // the receiver back on the same port: the server's retry delivers it, once
  smtp = await smtpReceiver(port, smtp.got);
  const got = await until('the reply after the outage', () => downReplies().length === 1);
  assert.ok(got);
  const s = await until('recorded as sent', () => mine('sent'));
  assert.ok(s.attempts >= 2, 'retried');
  await new Promise((res) => setTimeout(res, 1500));   // more rounds of the worker: nothing twice
  assert.equal(downReplies().length, 1);
  const nodb = run(['intake', 'email', '--db', join(dir, 'khong-co.db')], { input: 'From: <a@b.c>\r\n\r\nx' });
  assert.equal(nodb.status, 75);
  const help = run(['intake', 'email', '--help']);
  assert.equal(help.status, 0);
  assert.match(help.stdout, /Maildir/);
  const usage = run(['intake', 'fax']);
  assert.equal(usage.status, 2);
});

test('the audit log holds every record the intake wrote', T, async () => {
  const r = run(['admin', 'audit-verify', '--db', srv.db, '--json']);
  assert.equal(r.status, 0, r.stdout + r.stderr);
});
