// Drills and the periodic reports (issue 15, items 4 and 6): a drill's
// corrective action in its owner's inbox, the live-drill rule, Mẫu 05
// counted from the incidents (a fresh agency, so nothing of the demo
// counts), corrected only with a reason kept in the audit log, sent by a
// leader and then frozen; Mẫu 01; the annual report; scope (another
// organisation's record is 404) and bounds; the documents read as a reader
// would (pdftotext).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, sqlite3 } from '../lib/server.mjs';
import {
  test, before, after, loginAs, file, moveOk, assertProblem, userByName, run,
} from './helpers.mjs';

let server;
const as = {};
let tmp;

before(async () => {
  server = await startServer();
  for (const u of ['admin', 'dieuphoi', 'lanhdao', 'tamthanh', 'longhai', 'tinh']) as[u] = await loginAs(server, u);
  tmp = mkdtempSync(join(tmpdir(), 'ungcuu-reports-'));
});
after(async () => {
  await server?.stop();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

const im = (v) => ({ 'If-Match': `"${v}"` });
const days = (n) => new Date(Date.now() + n * 86400_000).toISOString();
let uniq = 0;
const u = (s) => `${s}-${process.pid}-${++uniq}`;

// The bytes of a document (the Client reads text).
async function download(client, path) {
  const r = await fetch(server.url + path, { headers: { Cookie: client.cookie } });
  return { status: r.status, type: r.headers.get('content-type'), disposition: r.headers.get('content-disposition'),
    bytes: Buffer.from(await r.arrayBuffer()) };
}
// pdftotext of a PDF, layout kept out (one word stream).
function pdfText(bytes) {
  const p = join(tmp, `${u('doc')}.pdf`);
  writeFileSync(p, bytes);
  return execFileSync('pdftotext', ['-enc', 'UTF-8', p, '-'], { encoding: 'utf8' }).replace(/\s+/g, ' ');
}

// ---- drills ----

test('a drill: planned, held with injects, a corrective action that reaches its owner\'s inbox and is closed there', async () => {
  const sys = await as.dieuphoi.post('/api/v1/systems', { name: u('Cổng thông tin điện tử huyện'), org_code: 'pq', level: 3 });
  assert.equal(sys.status, 201, sys.text);
  const before = (await as.dieuphoi.get('/api/v1/plan/drill-compliance')).body.items.find((x) => x.system.id === sys.body.id);
  assert.ok(before, 'a level 3 system is in the compliance view');
  assert.equal(before.overdue, true, 'never drilled: overdue');

  const c = await as.dieuphoi.post('/api/v1/plan/drills', {
    title: 'Diễn tập ứng phó tấn công mã hóa dữ liệu', kind: 'live', org_code: 'pq',
    scenario: 'Máy chủ cổng thông tin bị mã hóa dữ liệu, kẻ tấn công đòi tiền chuộc.',
    planned_at: days(-3), system_ids: [sys.body.id], participants: 'Văn phòng HĐND và UBND huyện; VNPT Phú Quý',
  });
  assert.equal(c.status, 201, c.text);
  assert.equal(c.body.status, 'planned');
  assert.equal(c.body.systems[0].name, sys.body.name);

  // held: needs the date; injects come back in time order
  assertProblem(await as.dieuphoi.patch(`/api/v1/plan/drills/${c.body.id}`, { status: 'held' }, im(c.body.version)), 422, '/held_at');
  const h = await as.dieuphoi.patch(`/api/v1/plan/drills/${c.body.id}`, {
    status: 'held', held_at: days(-1), went_wrong: 'Bản sao lưu cũ hơn 7 ngày.', lessons: 'Sao lưu hằng ngày.',
    injects: [{ at: days(-1.0), text: 'Phát hiện tệp bị mã hóa' }, { at: days(-1.1), text: 'Cảnh báo từ phần mềm diệt virus' }],
  }, im(c.body.version));
  assert.equal(h.status, 200, h.text);
  assert.deepEqual(h.body.injects.map((x) => x.text), ['Cảnh báo từ phần mềm diệt virus', 'Phát hiện tệp bị mã hóa']);
  assertProblem(await as.dieuphoi.patch(`/api/v1/plan/drills/${c.body.id}`, { lessons: 'x' }, im(c.body.version)), 412);
  assertProblem(await as.dieuphoi.patch(`/api/v1/plan/drills/${c.body.id}`, { lessons: 'x' }), 428);

  const after = (await as.dieuphoi.get('/api/v1/plan/drill-compliance')).body.items.find((x) => x.system.id === sys.body.id);
  assert.equal(after.overdue, false, 'a live drill held: the yearly rule is met');

  // a corrective action owned by the commune's focal point
  const owner = await userByName(as.admin, 'tamthanh');
  const a = await as.dieuphoi.post(`/api/v1/plan/drills/${c.body.id}/actions`, { title: 'Thiết lập sao lưu hằng ngày', owner_id: owner.id, due_at: days(14) });
  assert.equal(a.status, 201, a.text);
  const inbox = await as.tamthanh.get('/api/v1/inbox');
  assert.equal(inbox.status, 200, inbox.text);
  const mine = inbox.body.drill_actions.find((x) => x.id === a.body.id);
  assert.ok(mine, `the action is in the owner's inbox: ${inbox.text}`);
  assert.equal(mine.drill.id, c.body.id);
  assert.ok(inbox.body.count >= 1);
  assert.equal((await as.dieuphoi.get('/api/v1/inbox')).body.drill_actions.some((x) => x.id === a.body.id), false, 'not in anyone else\'s');

  // the owner (a commune, below the drill's district) reads the drill and closes the action; nothing more
  assert.equal((await as.tamthanh.get(`/api/v1/plan/drills/${c.body.id}`)).status, 200);
  assertProblem(await as.tamthanh.patch(`/api/v1/plan/drills/${c.body.id}/actions/${a.body.id}`, { title: 'Đổi tên' }), 403);
  assertProblem(await as.longhai.get(`/api/v1/plan/drills/${c.body.id}`), 404);
  assertProblem(await as.longhai.patch(`/api/v1/plan/drills/${c.body.id}/actions/${a.body.id}`, { done: true }), 404);
  const d = await as.tamthanh.patch(`/api/v1/plan/drills/${c.body.id}/actions/${a.body.id}`, { done: true });
  assert.equal(d.status, 200, d.text);
  assert.equal(d.body.done, true);
  assert.equal((await as.tamthanh.get('/api/v1/inbox')).body.drill_actions.some((x) => x.id === a.body.id), false, 'done: out of the inbox');

  // the after-action report as a reader reads it
  const doc = await download(as.dieuphoi, `/api/v1/plan/drills/${c.body.id}/document`);
  assert.equal(doc.status, 200);
  assert.equal(doc.type, 'application/pdf');
  const text = pdfText(doc.bytes);
  for (const s of ['BÁO CÁO KẾT QUẢ DIỄN TẬP', 'Diễn tập ứng phó tấn công mã hóa dữ liệu', 'Diễn tập thực chiến',
    'Phát hiện tệp bị mã hóa', 'Bản sao lưu cũ hơn 7 ngày.', 'Thiết lập sao lưu hằng ngày', 'Đã xong', 'CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM']) {
    assert.ok(text.includes(s), `"${s}" in the PDF: ${text.slice(0, 400)}`);
  }
  // every font embedded (pdffonts: the "emb" column)
  const pdfPath = join(tmp, `${u('fonts')}.pdf`);
  writeFileSync(pdfPath, doc.bytes);
  const fonts = execFileSync('pdffonts', [pdfPath], { encoding: 'utf8' }).trim().split('\n').slice(2);
  assert.ok(fonts.length > 0, 'fonts listed');
  for (const f of fonts) assert.match(f, /\s+yes\s+yes\s+yes\s+\d+\s+\d+$/, `embedded, subset, unicode: ${f}`);
  const docx = await download(as.dieuphoi, `/api/v1/plan/drills/${c.body.id}/document?format=docx`);
  assert.equal(docx.status, 200);
  assert.equal(docx.bytes.subarray(0, 2).toString(), 'PK');
  assertProblem(await as.longhai.get(`/api/v1/plan/drills/${c.body.id}/document`), 404);
});

test('drills: every field bounded and named, systems and owners only from the drill\'s organisation', async () => {
  const base = { title: 'Diễn tập', kind: 'tabletop', planned_at: days(5) };
  assertProblem(await as.dieuphoi.post('/api/v1/plan/drills', { ...base, title: 'x'.repeat(301) }), 422, '/title');
  assertProblem(await as.dieuphoi.post('/api/v1/plan/drills', { ...base, title: '   ' }), 422, '/title');
  assertProblem(await as.dieuphoi.post('/api/v1/plan/drills', { ...base, kind: 'war' }), 422, '/kind');
  assertProblem(await as.dieuphoi.post('/api/v1/plan/drills', { ...base, planned_at: 'mai' }), 422, '/planned_at');
  assertProblem(await as.dieuphoi.post('/api/v1/plan/drills', { ...base, injects: [{ at: 'x', text: 'a' }] }), 422, '/injects/0/at');
  assertProblem(await as.dieuphoi.post('/api/v1/plan/drills', { ...base, injects: 'nhiều' }), 422, '/injects');
  assertProblem(await as.dieuphoi.post('/api/v1/plan/drills', { ...base, injects: Array.from({ length: 101 }, () => ({ at: days(0), text: 'a' })) }), 422, '/injects');
  assertProblem(await as.dieuphoi.post('/api/v1/plan/drills', { ...base, unknown: 1 }), 422, '/unknown');
  assertProblem(await as.dieuphoi.post('/api/v1/plan/drills', { ...base, scenario: 42 }), 422, '/scenario');
  assertProblem(await as.dieuphoi.post('/api/v1/plan/drills', { ...base, status: 'held', held_at: days(3) }), 422, '/held_at');
  // a system of a commune is not the commune Long Hải's
  const s = await as.tamthanh.post('/api/v1/systems', { name: u('Máy chủ xã'), org_code: 'pq-tamthanh', level: 2 });
  assert.equal(s.status, 201, s.text);
  const lh = await loginAs(server, 'longhai');
  assertProblem(await as.tamthanh.post('/api/v1/plan/drills', { ...base, system_ids: ['not-a-uuid'] }), 422, '/system_ids/0');
  assertProblem(await as.dieuphoi.post('/api/v1/plan/drills', { ...base, org_code: 'pq-longhai', system_ids: [s.body.id] }), 422, '/system_ids/0');
  // bad UTF-8 in the body
  const bad = Buffer.concat([Buffer.from('{"title":"'), Buffer.from([0xc3, 0x28]), Buffer.from('","kind":"live","planned_at":"2026-01-01T00:00:00Z"}')]);
  assertProblem(await as.dieuphoi.post('/api/v1/plan/drills', bad), 400);
  // roles and scope
  assertProblem(await lh.post('/api/v1/plan/drills', base), 403);            // a reporter
  assertProblem(await as.lanhdao.post('/api/v1/plan/drills', base), 403);    // the leader reads
  assertProblem(await as.tamthanh.post('/api/v1/plan/drills', { ...base, org_code: 'pq' }), 422, '/org_code');
  const ok = await as.tamthanh.post('/api/v1/plan/drills', base);
  assert.equal(ok.status, 201, ok.text);
  // an owner outside the drill's organisation; a due date that is no date
  const other = await userByName(as.admin, 'longhai');
  assertProblem(await as.tamthanh.post(`/api/v1/plan/drills/${ok.body.id}/actions`, { title: 'Việc', owner_id: other.id, due_at: days(3) }), 422, '/owner_id');
  assertProblem(await as.tamthanh.post(`/api/v1/plan/drills/${ok.body.id}/actions`, { title: 'Việc', owner_id: other.id, due_at: 'sớm' }), 422, '/due_at');
  // the district sees the commune's drill, a sibling commune does not
  assert.equal((await as.dieuphoi.get(`/api/v1/plan/drills/${ok.body.id}`)).status, 200);
  assertProblem(await lh.get(`/api/v1/plan/drills/${ok.body.id}`), 404);
  assert.equal((await lh.get('/api/v1/plan/drills')).body.items.some((x) => x.id === ok.body.id), false);
  assertProblem(await as.dieuphoi.get('/api/v1/plan/drills?year=1999'), 422, '/year');
  assertProblem(await as.dieuphoi.get('/api/v1/plan/drills/khong-co'), 404);
});

// ---- Mẫu 05 ----

// Incidents of a fresh agency, so that the counts are exactly ours.
async function agency() {
  const code = u('pq-test');
  const r = await as.admin.post('/api/v1/orgs', { code, name: 'Phòng Tư pháp huyện Phú Quý', kind: 'agency', parent_code: 'pq' });
  assert.equal(r.status, 201, r.text);
  return code;
}
async function incident(org, type, detected, to = 'classified', extra = async () => {}) {
  let i = await file(as.dieuphoi, { org_code: org, type, detected_at: detected });
  i = await moveOk(as.dieuphoi, i.id, { to: 'acknowledged' }, i.version);
  await extra(i);
  if (to === 'rejected') return moveOk(as.dieuphoi, i.id, { to: 'rejected', reason: 'Báo nhầm' });
  if (to === 'acknowledged') return i;
  i = await moveOk(as.dieuphoi, i.id, { to: 'verified' });
  return moveOk(as.dieuphoi, i.id, { to: 'classified', severity: 'high' });
}

test('Mẫu 05 of the half year: counted from the incidents, the cut-off at 15/6, rejected and unverified ones apart', async () => {
  const org = await agency();
  const Y = 2026;
  // in the half (15/12/2025 .. 14/6/2026, Vietnam time)
  await incident(org, 'encryption', '2025-12-15T00:30:00+07:00');
  await incident(org, 'encryption', '2026-06-14T23:30:00+07:00', 'classified', async (i) => {
    const s = await as.dieuphoi.post(`/api/v1/incidents/${i.id}/support-requests`, { summary: 'Nhờ tỉnh hỗ trợ', to_org_code: 'stttt-bth' });
    assert.equal(s.status, 201, s.text);
    const t = await as.tinh.post(`/api/v1/incidents/${i.id}/support-requests/${s.body.id}/transitions`, { to: 'accepted' });
    assert.equal(t.status, 200, t.text);
  });
  await incident(org, 'phishing', '2026-03-01T09:00:00+07:00', 'classified', async (i) => {
    const s = await as.dieuphoi.post(`/api/v1/incidents/${i.id}/support-requests`, { summary: 'Đề nghị VNCERT/CC', to_org_code: 'vncert' });
    assert.equal(s.status, 201, s.text);
  });
  // outside it: the day before, the day after the cut-off; rejected; not yet verified
  await incident(org, 'malware', '2025-12-14T23:30:00+07:00');
  await incident(org, 'malware', '2026-06-15T00:30:00+07:00');
  await incident(org, 'dos', '2026-02-01T08:00:00+07:00', 'rejected');
  await incident(org, 'dos', '2026-02-02T08:00:00+07:00', 'acknowledged');

  const c = await as.dieuphoi.post('/api/v1/plan/mau05', { org_code: org, period: 'half', year: Y });
  assert.equal(c.status, 201, c.text);
  const row = (t) => c.body.rows.find((r) => r.type === t);
  assert.equal(c.body.period_from, '2025-12-14T17:00:00.000Z');
  assert.equal(c.body.period_to, '2026-06-14T17:00:00.000Z');
  assert.equal(c.body.due_at, '2026-06-19T17:00:00.000Z');
  assert.deepEqual([row('encryption').count, row('encryption').self, row('encryption').other_orgs], [2, 1, 1]);
  assert.deepEqual([row('phishing').count, row('phishing').self, row('phishing').vncert], [1, 1, 1]);
  assert.equal(row('malware').count, 0, 'before and after the cut-off');
  assert.equal(row('dos').count, 0, 'rejected and unverified do not count');
  assert.equal(c.body.pending, 1, 'the unverified one is shown apart');
  assert.equal(c.body.total.count, 3);
  assert.equal(c.body.member_code, org);
  assert.equal(c.body.status, 'draft');
  assertProblem(await as.dieuphoi.post('/api/v1/plan/mau05', { org_code: org, period: 'half', year: Y }), 409);

  // the year: from 15/12/2025 to 14/12/2026 takes the one after 15/6 too
  const y = await as.dieuphoi.post('/api/v1/plan/mau05', { org_code: org, period: 'year', year: Y });
  assert.equal(y.status, 201, y.text);
  assert.equal(y.body.rows.find((r) => r.type === 'malware').count, 1);
  assert.equal(y.body.total.count, 4);

  // correcting a figure needs a reason, which the audit log keeps
  const p = `/api/v1/plan/mau05/${c.body.id}`;
  assertProblem(await as.dieuphoi.patch(p, { cells: { encryption: { damage: 15000000 } } }, im(c.body.version)), 422, '/reason');
  assertProblem(await as.dieuphoi.patch(p, { cells: { encryption: { damage: -1 } }, reason: 'x' }, im(c.body.version)), 422, '/cells/encryption/damage');
  assertProblem(await as.dieuphoi.patch(p, { cells: { bogus: { count: 1 } }, reason: 'x' }, im(c.body.version)), 422, '/cells/bogus');
  assertProblem(await as.dieuphoi.patch(p, { cells: { dos: { colour: 1 } }, reason: 'x' }, im(c.body.version)), 422, '/cells/dos/colour');
  assertProblem(await as.dieuphoi.patch(p, { cells: { dos: { count: '1' } }, reason: 'x' }, im(c.body.version)), 422, '/cells/dos/count');
  assertProblem(await as.dieuphoi.patch(p, { helpers: 'x' }), 428);
  const reason = 'Thiệt hại theo biên bản của Phòng Tài chính ngày 20/6';
  const fix = await as.dieuphoi.patch(p, { cells: { encryption: { damage: 15000000 } }, reason, recommendations: 'Đề nghị tập huấn sao lưu.' }, im(c.body.version));
  assert.equal(fix.status, 200, fix.text);
  const enc = fix.body.rows.find((r) => r.type === 'encryption');
  assert.equal(enc.damage, 15000000);
  assert.deepEqual(enc.corrected, [{ column: 'damage', computed: 0 }]);
  assert.equal(fix.body.total.damage, 15000000);
  // text only: no reason asked
  const txt = await as.dieuphoi.patch(p, { helpers: 'Sở Thông tin và Truyền thông tỉnh Bình Thuận' }, im(fix.body.version));
  assert.equal(txt.status, 200, txt.text);
  const entry = sqlite3(['-cmd', '.timeout 5000', server.db,
    `SELECT after FROM audit_log WHERE action = 'mau05.correct' AND entity_id = '${c.body.id}'`], { encoding: 'utf8' });
  const logged = JSON.parse(entry.trim());
  assert.equal(logged.reason, reason, 'the reason is in the audit log');
  assert.deepEqual(logged.corrections, [{ type: 'encryption', column: 'damage', from: 0, to: 15000000, computed: 0 }]);

  // read: the district and the leader; not a commune
  assertProblem(await as.longhai.get(p), 404);
  assertProblem(await as.tamthanh.patch(p, { helpers: 'x' }, im(txt.body.version)), 404);
  assertProblem(await as.lanhdao.patch(p, { helpers: 'x' }, im(txt.body.version)), 403);
  // sending is the leader's act, and freezes the report
  assertProblem(await as.dieuphoi.post(`${p}/send`, undefined, im(txt.body.version)), 403);
  const sent = await as.lanhdao.post(`${p}/send`, undefined, im(txt.body.version));
  assert.equal(sent.status, 200, sent.text);
  assert.equal(sent.body.status, 'sent');
  assertProblem(await as.dieuphoi.patch(p, { helpers: 'y' }, im(sent.body.version)), 409);
  assertProblem(await as.lanhdao.post(`${p}/send`, undefined, im(sent.body.version)), 409);

  // the document, read as a reader would
  const doc = await download(as.dieuphoi, `${p}/document`);
  assert.equal(doc.status, 200);
  assert.match(doc.disposition, /mau-05\.pdf/);
  const text = pdfText(doc.bytes);
  for (const s of ['Mẫu 05', 'BÁO CÁO TỔNG HỢP TÌNH HÌNH SỰ CỐ 6 THÁNG', 'Kính gửi: Trung tâm VNCERT/CC', 'Mã hóa phần mềm, dữ liệu, thiết bị',
    'Tổng số', '15.000.000', 'Từ ngày 15/12/2025 đến ngày 14/06/2026', org, 'Đề nghị tập huấn sao lưu.']) {
    assert.ok(text.includes(s), `"${s}" in the PDF: ${text.slice(0, 600)}`);
  }
  assertProblem(await as.longhai.get(`${p}/document`), 404);
  assertProblem(await as.dieuphoi.get(`${p}/document?format=odt`), 422);
});

test('Mẫu 05 as DOCX: LibreOffice opens it and reads the same Vietnamese', async (t) => {
  if (!existsSync('/usr/bin/soffice')) return t.skip('soffice (libreoffice-writer-nogui) is not installed');
  const m = (await as.dieuphoi.get('/api/v1/plan/mau05')).body.items.find((x) => x.org.code === 'pq');
  assert.ok(m, 'the demo district\'s Mẫu 05');
  const docx = await download(as.dieuphoi, `/api/v1/plan/mau05/${m.id}/document?format=docx`);
  assert.equal(docx.status, 200);
  assert.equal(docx.type, 'application/vnd.openxmlformats-officedocument.wordprocessingml.document');
  const dir = join(tmp, u('lo'));
  mkdirSync(dir);
  writeFileSync(join(dir, 'mau05.docx'), docx.bytes);
  execFileSync('soffice', ['--headless', '--convert-to', 'pdf', '--outdir', dir, join(dir, 'mau05.docx')],
    { env: { ...process.env, HOME: dir }, stdio: 'ignore', timeout: 120_000 });
  const text = execFileSync('pdftotext', ['-enc', 'UTF-8', join(dir, 'mau05.pdf'), '-'], { encoding: 'utf8' }).replace(/\s+/g, ' ');
  for (const s of ['Mẫu 05', 'CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM', 'BÁO CÁO TỔNG HỢP TÌNH HÌNH SỰ CỐ NĂM', 'Kính gửi: Trung tâm VNCERT/CC',
    'Từ chối dịch vụ', 'Thay đổi giao diện', 'Tấn công tổng hợp', 'Tổng số', 'Tên tổ chức: UBND huyện Phú Quý', `Từ ngày 15/12/${m.year - 1}`]) {
    assert.ok(text.includes(s), `"${s}" in LibreOffice's reading: ${text.slice(0, 500)}`);
  }
});

test('Mẫu 05: bounds on creation, the list with its deadlines', async () => {
  assertProblem(await as.dieuphoi.post('/api/v1/plan/mau05', { period: 'quarter', year: 2026 }), 422, '/period');
  assertProblem(await as.dieuphoi.post('/api/v1/plan/mau05', { period: 'half', year: 2016 }), 422, '/year');
  assertProblem(await as.dieuphoi.post('/api/v1/plan/mau05', { period: 'half', year: 2300 }), 422, '/year');
  assertProblem(await as.dieuphoi.post('/api/v1/plan/mau05', { period: 'half', year: '2026' }), 422, '/year');
  assertProblem(await as.dieuphoi.post('/api/v1/plan/mau05', { period: 'half' }), 422, '/year');
  assertProblem(await as.tamthanh.post('/api/v1/plan/mau05', { period: 'half', year: 2026, org_code: 'pq-longhai' }), 422, '/org_code');
  assertProblem(await as.longhai.post('/api/v1/plan/mau05', { period: 'half', year: 2026 }), 403);
  const l = await as.dieuphoi.get('/api/v1/plan/mau05');
  assert.equal(l.status, 200, l.text);
  assert.deepEqual(l.body.deadlines.map((d) => d.period).sort(), ['half', 'year']);
  for (const d of l.body.deadlines) assert.match(d.due_at, /^\d{4}-(06-19|12-14)T17:00:00\.000Z$/);
  assertProblem(await as.dieuphoi.get('/api/v1/plan/mau05/khong-co'), 404);
});

// ---- Mẫu 01 and the annual report ----

test('Mẫu 01 from the directory: main and backup focal points; another organisation is 404', async () => {
  const m = await as.dieuphoi.get('/api/v1/plan/orgs/pq/mau01');
  assert.equal(m.status, 200, m.text);
  assert.equal(m.body.org.name, 'UBND huyện Phú Quý');
  assert.equal(m.body.main_focal_point.name, 'Nguyễn Văn An');
  assert.ok(m.body.leader.includes('Ngô Thị Giang'));
  const c = await as.dieuphoi.post('/api/v1/contacts', { org_code: 'pq', name: 'Lê Thị Dự Phòng', phone: '0909 000 111', network_role: 'Đầu mối dự phòng' });
  assert.equal(c.status, 201, c.text);
  const m2 = await as.dieuphoi.get('/api/v1/plan/orgs/pq/mau01');
  assert.equal(m2.body.backup_focal_point.name, 'Lê Thị Dự Phòng');
  assertProblem(await as.longhai.get('/api/v1/plan/orgs/pq-tamthanh/mau01'), 404);
  assertProblem(await as.longhai.get('/api/v1/plan/orgs/pq-tamthanh/mau01/document'), 404);
  const doc = await download(as.dieuphoi, '/api/v1/plan/orgs/pq/mau01/document');
  assert.equal(doc.status, 200);
  const text = pdfText(doc.bytes);
  for (const s of ['Mẫu 01', 'Đầu mối chính', 'Nguyễn Văn An', 'Đầu mối dự phòng', 'Lê Thị Dự Phòng', 'UBND huyện Phú Quý']) {
    assert.ok(text.includes(s), `"${s}" in the PDF: ${text.slice(0, 600)}`);
  }
});

function sql(q) {
  const out = sqlite3(['-json', server.db, q]).toString();
  return out.trim() ? JSON.parse(out) : [];
}

test('the annual report: per agency, the six-month rules, plan status and budget', async () => {
  const a = await as.dieuphoi.get('/api/v1/plan/annual?year=2026');
  assert.equal(a.status, 200, a.text);
  const tam = a.body.items.find((r) => r.org.code === 'pq-tamthanh');
  assert.ok(tam, 'a commune of the district');
  // the demo: Phòng Kinh tế - Tài chính has an approved plan, Phòng Văn hóa
  // và Thông tin's waits for the leader, the communes have none; Tam Thanh
  // sent its budget for the year.
  assert.equal(tam.plan_status, 'none');
  assert.equal(a.body.items.find((r) => r.org.code === 'pq-kttc')?.plan_status, 'approved');
  assert.equal(a.body.items.find((r) => r.org.code === 'pq-vhtt')?.plan_status, 'submitted');
  const sent = sql(`SELECT COALESCE(SUM(planned), 0) AS p, COALESCE(SUM(spent), 0) AS s FROM budget_lines b JOIN orgs o ON o.id = b.org_id WHERE o.code = 'pq-tamthanh' AND b.year = 2026 AND b.status = 'submitted'`)[0];
  assert.ok(sent.p > 0, 'the demo sent a budget');
  assert.equal(tam.budget_planned, sent.p);
  assert.equal(tam.budget_spent, sent.s);
  assert.equal(a.body.total.budget_planned >= sent.p, true);
  assert.ok(['met', 'missed', 'pending'].includes(tam.scan_rule));
  assert.ok(a.body.total.incidents >= tam.incidents);
  // a commune sees itself only; another's is 404; the year is required and bounded
  const own = await as.longhai.get('/api/v1/plan/annual?year=2026');
  assert.deepEqual(own.body.items.map((r) => r.org.code), ['pq-longhai']);
  assertProblem(await as.longhai.get('/api/v1/plan/annual?year=2026&org=pq-tamthanh'), 404);
  assertProblem(await as.dieuphoi.get('/api/v1/plan/annual'), 422, '/year');
  assertProblem(await as.dieuphoi.get('/api/v1/plan/annual?year=20x6'), 422, '/year');
  const doc = await download(as.dieuphoi, '/api/v1/plan/annual/document?year=2026&format=docx');
  assert.equal(doc.status, 200);
  const pdf = await download(as.dieuphoi, '/api/v1/plan/annual/document?year=2026');
  const text = pdfText(pdf.bytes);
  for (const s of ['BÁO CÁO KẾT QUẢ THỰC HIỆN KẾ HOẠCH', 'Năm 2026', 'UBND xã Tam Thanh', 'Kế hoạch', 'Kinh phí', 'Chưa đạt (0/0)']) {
    assert.ok(text.includes(s), `"${s}" in the PDF: ${text.slice(0, 600)}`);
  }
  assertProblem(await as.longhai.get('/api/v1/plan/annual/document?year=2026&org=pq'), 404);
});

test('the audit log still proves the database with drills and reports in it', () => {
  const r = run(['admin', 'audit-verify', '--db', server.db, '--json'], { env: { UNGCUU_LANG: 'en', LANG: 'C.UTF-8' } });
  assert.equal(r.status, 0, r.stdout + r.stderr);
});
