// Mẫu 03 and Mẫu 04 as a person receives them: downloaded from
// GET /api/v1/incidents/{id}/documents/{mau03|mau04}?format=pdf|docx and
// from `ungcuu doc`, then read with Poppler (PDF) and LibreOffice (DOCX):
// the national header with every diacritic, the incident's title, the place
// and date line, "Kính gửi" from the reports' recipients, Mẫu 03 on at most
// two pages, Mẫu 04 signed by who wrote it and not listing itself, fonts
// embedded, the same bytes each time, and what a reader may not see is 404.
// DOC_PNG_DIR=DIR keeps a PNG of the first page of each PDF there, to look at.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer } from '../lib/server.mjs';
import { test, before, after, Client, loginAs, file, moveOk, getIncident, assertProblem, bin, run } from './helpers.mjs';
import {
  pdfText, pdfFonts, pdfPages, pdfInfo, renderPng, docxToPdfs, docxParts, download, NATION, MOTTO, vnDateWords,
} from '../lib/documents.mjs';

let server, coord, tam, other;
let inc;          // the incident, closed, as the coordinator reads it
const got = {};   // kind.format -> bytes
let docx = {};    // kind -> text of the DOCX converted by LibreOffice
let docxPdf = {}; // kind -> that PDF

const TITLE = 'Thay đổi giao diện cổng thông tin xã Tam Thanh – ảnh hưởng dữ liệu người dân';
const flat = (s) => s.replace(/\s+/g, ' ');

async function get(client, id, kind, format) {
  const q = format ? `?format=${format}` : '';
  return download(client, `/api/v1/incidents/${id}/documents/${kind}${q}`);
}

before(async () => {
  server = await startServer();
  coord = await loginAs(server, 'dieuphoi');
  tam = await loginAs(server, 'tamthanh');
  other = await loginAs(server, 'longhai');
  const made = await file(tam, {
    title: TITLE,
    description: 'Sáng nay trang chủ hiển thị hình ảnh và khẩu hiệu lạ. Đánh giá: đã bị tấn công; dữ liệu hồ sơ một cửa có thể bị lộ.',
    type: 'defacement',
    reporter: { name: 'Trần Thị Bích', address: 'UBND xã Tam Thanh, Phú Quý', phone: '0252 3769 123', email: 'bich@tamthanh.gov.vn' },
    contact: { name: 'Ngô Quốc Ưng', position: 'Công chức văn phòng', phone: '0912 345 678', email: 'ung@tamthanh.gov.vn' },
    system: { name: 'Cổng thông tin điện tử xã', operator: 'UBND xã Tam Thanh', owner: 'UBND huyện Phú Quý', level: 2,
      domains: ['tamthanh.phuquy.binhthuan.gov.vn'], ips: ['203.0.113.10'] },
    handling_status: 'not_handled',
    detection_method: { kind: 'notified', detail: 'Người dân gọi điện báo' },
    notified: ['network_member', 'coordinator'],
    details: { os: 'Ubuntu 22.04', services: ['web', 'db'], measures: ['firewall'], public_ips: ['203.0.113.10'], purpose: 'Thông tin cho người dân' },
    support_needed: 'Phân tích nhật ký máy chủ web, khôi phục giao diện.',
  });
  const base = `/api/v1/incidents/${made.id}`;
  assert.equal((await coord.post(`${base}/reports`, { kind: 'initial', recipient: 'Sở TT&TT Bình Thuận; VNCERT/CC', channel: 'email' })).status, 201);
  for (const to of ['acknowledged', 'verified']) await moveOk(coord, made.id, { to });
  await moveOk(coord, made.id, { to: 'classified', severity: 'medium' });
  for (const to of ['containing', 'eradicating', 'recovering', 'reviewing']) await moveOk(coord, made.id, { to });
  await moveOk(coord, made.id, { to: 'closed', closing_report: {
    summary: 'Đã khôi phục giao diện từ bản sao lưu, vá lỗ hổng trình cắm, đổi mật khẩu quản trị.',
    cause: 'Trình cắm cũ có lỗ hổng tải tệp lên', resolution: 'Gỡ tệp lạ, cập nhật, khôi phục', proposals: 'Rà soát định kỳ 6 tháng' } });
  assert.equal((await coord.post(`${base}/reports`, { kind: 'closing', recipient: 'VNCERT/CC; Phòng Văn hóa và Thông tin', channel: 'email' })).status, 201);
  const att = await coord.post(`${base}/attachments`, 'nhật ký', { 'Content-Type': 'text/plain', 'X-Filename': 'nhat-ky-web.txt' });
  assert.equal(att.status, 201, att.text);
  inc = await getIncident(coord, made.id);
  for (const kind of ['mau03', 'mau04']) {
    for (const format of ['pdf', 'docx']) {
      const r = await get(coord, inc.id, kind, format);
      assert.equal(r.status, 200, r.bytes.toString());
      got[`${kind}.${format}`] = r;
    }
  }
  // One LibreOffice run for both DOCX (it is slow to start).
  const [p3, p4] = docxToPdfs([got['mau03.docx'].bytes, got['mau04.docx'].bytes]);
  docxPdf = { mau03: p3, mau04: p4 };
  docx = { mau03: pdfText(p3), mau04: pdfText(p4) };
});

after(async () => { await server?.stop(); });

test('the PDFs: A4, media type, a download named after the form, fonts embedded, metadata from the record', () => {
  for (const kind of ['mau03', 'mau04']) {
    const r = got[`${kind}.pdf`];
    assert.equal(r.headers.get('content-type'), 'application/pdf');
    assert.equal(r.headers.get('content-disposition'), `attachment; filename="${kind}-${inc.number}.pdf"`);
    assert.equal(r.bytes.subarray(0, 5).toString(), '%PDF-');
    const info = pdfInfo(r.bytes);
    assert.match(info['Page size'], /^595\.\d+ x 841\.\d+ pts \(A4\)/);
    assert.match(info.Title, new RegExp(`${kind === 'mau03' ? 'Mẫu 03' : 'Mẫu 04'} .* ${inc.number}$`));
    const fonts = pdfFonts(r.bytes);
    assert.ok(fonts.length > 0);
    for (const f of fonts) assert.ok(f.embedded && f.unicode, `font ${f.name} embedded with a Unicode map`);
    assert.ok(fonts.some((f) => /NotoSerif/.test(f.name)), fonts.map((f) => f.name).join(', '));
    if (process.env.DOC_PNG_DIR) {
      for (let p = 1; p <= pdfPages(r.bytes); p++) renderPng(r.bytes, { page: p, out: join(process.env.DOC_PNG_DIR, `${kind}-${p}.png`) });
    }
    const png = renderPng(r.bytes);
    assert.equal(png.subarray(1, 4).toString(), 'PNG');
  }
  // created_ms of the record, not the clock: Mẫu 03 from the report's filing
  const created = new Date(inc.created_at);
  assert.equal(pdfInfo(got['mau03.pdf'].bytes).CreationDate, `${created.toISOString().slice(0, 19)}Z`,
    'CreationDate is the incident\'s created_at');
});

test('Mẫu 03 reads right: national header with diacritics, title, place and date, Kính gửi, on at most two pages', () => {
  for (const [what, text] of [['pdf', pdfText(got['mau03.pdf'].bytes)], ['docx', docx.mau03]]) {
    const t = flat(text);
    assert.ok(t.includes(NATION), `${what}: ${NATION}`);
    assert.ok(t.includes(MOTTO), `${what}: ${MOTTO}`);
    assert.ok(t.includes('UBND XÃ TAM THANH'), `${what}: the issuing organisation in capitals`);
    assert.ok(t.includes(`Số: ${inc.number}`), `${what}: number`);
    assert.ok(t.includes(`Phú Quý, ${vnDateWords(inc.created_at)}`), `${what}: place and date line`);
    assert.ok(t.includes('Mẫu 03'), what);
    assert.ok(t.includes('BÁO CÁO BAN ĐẦU SỰ CỐ AN TOÀN THÔNG TIN MẠNG'), what);
    assert.ok(t.includes('Kính gửi: Sở TT&TT Bình Thuận; VNCERT/CC'), `${what}: recipients of the initial report`);
    assert.ok(t.includes(TITLE), `${what}: the incident's title`);
    assert.ok(t.includes('Ngô Quốc Ưng'), `${what}: contact`);
    assert.ok(t.includes('☒ Chưa xử lý') || t.includes('☒Chưa xử lý'), `${what}: the status box checked`);
    assert.ok(t.includes('NGƯỜI BÁO CÁO'), `${what}: signature block`);
    assert.ok(t.includes('Trần Thị Bích'), `${what}: the reporter signs`);
  }
  assert.ok(pdfPages(got['mau03.pdf'].bytes) <= 2, `Mẫu 03 PDF on ${pdfPages(got['mau03.pdf'].bytes)} pages`);
  assert.ok(pdfPages(docxPdf.mau03) <= 2, `Mẫu 03 DOCX on ${pdfPages(docxPdf.mau03)} pages in LibreOffice`);
});

test('Mẫu 04: the closing report writer reports and signs, its organisation issues it, dated at closing, and it does not list itself', () => {
  const closedAt = [...inc.timeline].reverse().find((e) => e.kind === 'transition' && e.data?.to === 'closed').at;
  const writer = inc.closing_report_by.full_name;
  assert.ok(writer && writer !== inc.created_by.full_name, 'the writer is not the first reporter');
  for (const [what, text] of [['pdf', pdfText(got['mau04.pdf'].bytes)], ['docx', docx.mau04]]) {
    const t = flat(text);
    assert.ok(t.includes(NATION) && t.includes(MOTTO), what);
    assert.ok(t.includes('UBND HUYỆN PHÚ QUÝ'), `${what}: the writer's organisation issues it`);
    assert.ok(t.includes(`Phú Quý, ${vnDateWords(closedAt)}`), `${what}: dated when closed`);
    assert.ok(t.includes('BÁO CÁO KẾT THÚC ỨNG CỨU SỰ CỐ AN TOÀN THÔNG TIN MẠNG'), what);
    assert.ok(t.includes('Kính gửi: VNCERT/CC; Phòng Văn hóa và Thông tin'), `${what}: recipients of the closing report`);
    assert.ok(t.includes(TITLE), `${what}: title`);
    assert.ok(t.includes('Đã khôi phục giao diện từ bản sao lưu'), `${what}: the outcome`);
    assert.ok(!t.includes('Trần Thị Bích'), `${what}: the first reporter is not the reporter of Mẫu 04`);
    const att = t.slice(t.indexOf('6. Các tài liệu gửi kèm'));
    assert.ok(att.length > 30, `${what}: attachments section`);
    assert.ok(att.includes('Báo cáo ban đầu (Mẫu 03)'), `${what}: the initial report is attached`);
    assert.ok(att.includes('nhat-ky-web.txt'), `${what}: the file is attached`);
    assert.ok(!att.includes('Báo cáo kết thúc'), `${what}: Mẫu 04 does not list itself`);
    const sign = att.slice(att.indexOf('NGƯỜI BÁO CÁO'));
    assert.ok(sign.includes(writer.split(' ').slice(0, 3).join(' ')), `${what}: signed by ${writer}`);
  }
});

test('DOCX: a valid package, fixed times, same content (tables for the header), opened by LibreOffice', () => {
  const r = got['mau03.docx'];
  assert.equal(r.headers.get('content-type'), 'application/vnd.openxmlformats-officedocument.wordprocessingml.document');
  assert.equal(r.headers.get('content-disposition'), `attachment; filename="mau03-${inc.number}.docx"`);
  const parts = docxParts(r.bytes);
  for (const p of ['[Content_Types].xml', '_rels/.rels', 'word/document.xml', 'word/styles.xml', 'docProps/core.xml']) {
    assert.ok(parts[p], `part ${p}`);
    assert.match(parts[p], /^<\?xml version="1.0" encoding="UTF-8" standalone="yes"\?>/);
  }
  assert.match(parts['word/document.xml'], /<w:pgSz w:w="11906" w:h="16838"\/>/);
  assert.match(parts['word/document.xml'], /Độc lập - Tự do - Hạnh phúc/);
  assert.match(parts['docProps/core.xml'], new RegExp(`<dcterms:created xsi:type="dcterms:W3CDTF">${inc.created_at.slice(0, 19)}Z</dcterms:created>`));
  // every entry of the zip carries the record's time (Vietnam time, DOS
  // format), not the clock's: read each local header's date and time
  const local = new Date(Date.parse(inc.created_at) + 7 * 3600_000);
  const dosDate = ((local.getUTCFullYear() - 1980) << 9) | ((local.getUTCMonth() + 1) << 5) | local.getUTCDate();
  const dosTime = (local.getUTCHours() << 11) | (local.getUTCMinutes() << 5) | (local.getUTCSeconds() >> 1);
  let n = 0;
  for (let o = r.bytes.indexOf('PK\x03\x04'); o >= 0; o = r.bytes.indexOf('PK\x03\x04', o + 4)) {
    assert.equal(r.bytes.readUInt16LE(o + 12), dosDate, `entry ${n} date`);
    assert.equal(r.bytes.readUInt16LE(o + 10), dosTime, `entry ${n} time`);
    n++;
  }
  assert.equal(n, Object.keys(parts).length);
});

test('the same bytes for the same record, from the API and from `ungcuu doc`', async () => {
  for (const kind of ['mau03', 'mau04']) {
    for (const format of ['pdf', 'docx']) {
      const again = await get(coord, inc.id, kind, format);
      assert.ok(again.bytes.equals(got[`${kind}.${format}`].bytes), `${kind}.${format}: two downloads are identical`);
      // the CLI, by number, as the instance
      const out = execFileSync(bin, ['doc', kind, inc.number, '--db', server.db, '--format', format, '-o', '-']);
      assert.ok(out.equals(got[`${kind}.${format}`].bytes), `${kind}.${format}: ungcuu doc gives the API's bytes`);
    }
  }
  // the reporter's organisation reads the same document as the coordinator
  const mine = await get(tam, inc.id, 'mau04', 'pdf');
  assert.equal(mine.status, 200);
  assert.ok(mine.bytes.equals(got['mau04.pdf'].bytes));
});

test('downloads at the same time (they take turns on the lane): every one whole and the same', async () => {
  const all = await Promise.all(Array.from({ length: 8 }, (_, k) =>
    get(k % 2 ? tam : coord, inc.id, k % 4 < 2 ? 'mau04' : 'mau03', k % 3 ? 'pdf' : 'docx')));
  all.forEach((r, k) => {
    assert.equal(r.status, 200);
    const key = `${k % 4 < 2 ? 'mau04' : 'mau03'}.${k % 3 ? 'pdf' : 'docx'}`;
    assert.ok(r.bytes.equals(got[key].bytes), `download ${k} (${key}) is the same document`);
  });
  // and the server still answers reads meanwhile
  assert.equal((await coord.get(`/api/v1/incidents/${inc.id}`)).status, 200);
});

test('what a reader may not see is 404; a bad kind 404, a bad format 422, no login 401', async () => {
  for (const kind of ['mau03', 'mau04']) {
    const r = await get(other, inc.id, kind, 'pdf');
    assert.equal(r.status, 404, 'another commune does not see the incident');
  }
  const c = await other.get(`/api/v1/incidents/${inc.id}/documents/mau03`);
  assertProblem(c, 404);
  assertProblem(await coord.get(`/api/v1/incidents/${inc.id}/documents/mau05`), 404);
  assertProblem(await coord.get(`/api/v1/incidents/${inc.id}/documents/MAU03`), 404);
  assertProblem(await coord.get('/api/v1/incidents/not-a-uuid/documents/mau03'), 404);
  assertProblem(await coord.get('/api/v1/incidents/01900000-0000-7000-8000-000000000000/documents/mau04'), 404);
  assertProblem(await coord.get(`/api/v1/incidents/${inc.id}/documents/mau03?format=odt`), 422, '/format');
  assertProblem(await coord.get(`/api/v1/incidents/${inc.id}/documents/mau03?format=PDF`), 422, '/format');
  // a number is not an id on the API (the CLI takes both)
  assertProblem(await coord.get(`/api/v1/incidents/${inc.number}/documents/mau03`), 404);
  const anon = new Client(server.url);
  assertProblem(await anon.get(`/api/v1/incidents/${inc.id}/documents/mau03`), 401);
});

test('the longest text the report takes, control characters and a word without spaces still make valid documents', async () => {
  const long = `${'Đ'.repeat(3000)} ${'Mô tả sự cố rất dài, có dấu: ắ ằ ẳ ẵ ặ ố ồ ổ ỗ ộ ứ ừ ử ữ ự. '.repeat(400)}`;
  const description = long.slice(0, 20000 / 2); // bytes: Vietnamese letters take 2–3 each
  assert.ok(Buffer.byteLength(description) <= 20000);
  const made = await file(tam, { title: 'Ký tự điều khiển\u0007 và \u001b trong tiêu đề', description, type: 'other' });
  const pdf = await get(tam, made.id, 'mau03', 'pdf');
  assert.equal(pdf.status, 200);
  const t = flat(pdfText(pdf.bytes));
  assert.ok(t.includes(NATION));
  assert.ok(t.includes('Mô tả sự cố rất dài, có dấu: ắ ằ ẳ ẵ ặ ố ồ ổ ỗ ộ ứ ừ ử ữ ự.'));
  assert.ok(pdfPages(pdf.bytes) > 2, 'a long description flows onto more pages');
  const d = await get(tam, made.id, 'mau04', 'docx');
  assert.equal(d.status, 200, 'Mẫu 04 of an open incident: a form with blanks to fill');
  const parts = docxParts(d.bytes);
  for (const [name, xml] of Object.entries(parts)) {
    // well-formed XML 1.0: no control characters, not even escaped
    assert.ok(!/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/.test(xml), `${name} carries no control character`);
    assert.ok(!/&#(x0*([0-8bcef]|1[0-9a-f])|0*([0-8]|1[124-9]|2[0-9]|3[01]));/i.test(xml), `${name} carries no escaped control character`);
    execFileSync('xmllint', ['--noout', '-'], { input: xml });
  }
  assert.ok(parts['word/document.xml'].includes('Ký tự điều khiển  và   trong tiêu đề'));
});

test('`ungcuu doc`: help lists the kinds; bad input is refused with nothing written', () => {
  const help = run(['doc', '--help']);
  assert.equal(help.status, 0);
  assert.match(help.stdout, /mau03 .*Mẫu 03/);
  assert.match(help.stdout, /mau04 .*Mẫu 04/);
  assert.match(run(['doc', '--help'], { env: { LANG: 'en', UNGCUU_LANG: 'en' } }).stdout, /closing report/);
  const dir = mkdtempSync(join(tmpdir(), 'ungcuu-doc-cli-'));
  try {
    const at = (args) => run(args, { cwd: dir });
    let r = at(['doc', 'mau09', inc.number, '--db', server.db]);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /mau09/);
    assert.equal(at(['doc', 'mau03', '--db', server.db]).status, 2, 'no ID');
    assert.equal(at(['doc', '--db', server.db]).status, 2, 'no KIND');
    assert.equal(at(['doc', 'mau03', inc.number, 'extra', '--db', server.db]).status, 2);
    r = at(['doc', 'mau03', inc.number, '--db', server.db, '--format', 'odt']);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /odt/);
    r = at(['doc', 'mau03', 'PQ-2099-9999', '--db', server.db]);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /Không tìm thấy/);
    assert.equal(at(['doc', 'mau03', inc.number, '--db', join(dir, 'none.db')]).status, 1, 'no such database');
    assert.deepEqual(readdirSync(dir), [], 'nothing written');
    // the default name, in the current directory; by id too
    r = at(['doc', 'mau04', inc.id, '--db', server.db, '--format', 'docx']);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout.trim(), `mau04-${inc.id}.docx`);
    assert.ok(readFileSync(join(dir, r.stdout.trim())).equals(got['mau04.docx'].bytes));
    r = at(['doc', 'mau03', inc.number, '--db', server.db, '-o', join(dir, 'x.pdf')]);
    assert.equal(r.status, 0, r.stderr);
    assert.ok(existsSync(join(dir, 'x.pdf')));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
