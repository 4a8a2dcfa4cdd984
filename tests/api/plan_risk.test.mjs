// Issue 15 items 1 and 5 (h/risk): the risk register with its hints and
// heat map, resources, budget lines and the finance office's roll-up,
// exported as XLSX and CSV.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, sqlite3 } from '../lib/server.mjs';
import { test, before, after, loginAs, assertProblem, raw } from './helpers.mjs';

let server;
const as = {};
const im = (v) => ({ 'If-Match': `"${v}"` });
const year = new Date().getFullYear();
let uniq = 0;
const u = (s) => `${s} ${process.pid}-${++uniq}`;

before(async () => {
  server = await startServer();
  for (const who of ['admin', 'dieuphoi', 'lanhdao', 'tamthanh', 'longhai', 'nguphung', 'taichinh', 'tinh']) {
    as[who] = await loginAs(server, who);
  }
});
after(async () => { await server?.stop(); });

async function system(who, level) {
  const r = await as[who].post('/api/v1/systems', { name: u('Hệ thống'), level });
  assert.equal(r.status, 201, r.text);
  return r.body;
}

function audit(entityId) {
  const out = sqlite3(['-json', server.db,
    `SELECT action, after FROM audit_log WHERE entity_id = '${entityId.replace(/[^0-9a-f-]/g, '')}' ORDER BY seq`]).toString();
  return out.trim() ? JSON.parse(out) : [];
}

// Months between two instants, by the calendar (review-date rule).
const monthsBetween = (a, b) => (b.getUTCFullYear() - a.getUTCFullYear()) * 12 + b.getUTCMonth() - a.getUTCMonth();

test('an agency fills a risk: score and band computed, review date by the system level (T10), one risk per threat', async () => {
  const s2 = await system('nguphung', 2);
  const r = await as.nguphung.post('/api/v1/risks', { system_id: s2.id, threat: 'encryption', likelihood: 4, impact: 5,
    controls: 'Sao lưu hằng tuần', treatment: 'Tách bản sao lưu khỏi mạng', owner: 'Phạm Thị Dung' });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.body.score, 20);
  assert.equal(r.body.band, 'critical');
  assert.equal(r.body.org.code, 'pq-nguphung');
  assert.equal(r.body.system.id, s2.id);
  assert.equal(r.headers.get('etag'), `"${r.body.version}"`);
  const now = new Date();
  assert.equal(monthsBetween(now, new Date(r.body.review_at)), 24, 'level 2: every 2 years');
  const s5 = await system('nguphung', 5);
  const r5 = await as.nguphung.post('/api/v1/risks', { system_id: s5.id, threat: 'fault', likelihood: 1, impact: 3 });
  assert.equal(r5.status, 201, r5.text);
  assert.equal(r5.body.band, 'low');
  assert.equal(monthsBetween(now, new Date(r5.body.review_at)), 6, 'level 5: every 6 months');
  const s3 = await system('nguphung', 3);
  const r3 = await as.nguphung.post('/api/v1/risks', { system_id: s3.id, threat: 'operator_error', likelihood: 3, impact: 3 });
  assert.equal(monthsBetween(now, new Date(r3.body.review_at)), 12, 'level 3: every year');
  assert.equal(r3.body.band, 'medium');
  // one risk per threat and system
  assertProblem(await as.nguphung.post('/api/v1/risks', { system_id: s2.id, threat: 'encryption', likelihood: 1, impact: 1 }), 409);
  // update: If-Match, new band, audited
  assertProblem(await as.nguphung.patch(`/api/v1/risks/${r.body.id}`, { likelihood: 2 }), 428);
  assertProblem(await as.nguphung.patch(`/api/v1/risks/${r.body.id}`, { likelihood: 2 }, im(r.body.version + 1)), 412);
  const p = await as.nguphung.patch(`/api/v1/risks/${r.body.id}`, { likelihood: 2, impact: 4 }, im(r.body.version));
  assert.equal(p.status, 200, p.text);
  assert.equal(p.body.score, 8);
  assert.equal(p.body.band, 'medium');
  const m = await as.nguphung.post('/api/v1/risks', { system_id: s2.id, threat: 'malware', likelihood: 1, impact: 1 });
  assert.equal(m.status, 201, m.text);
  assertProblem(await as.nguphung.patch(`/api/v1/risks/${r.body.id}`, { threat: 'malware' }, im(p.body.version)), 409);
  assert.deepEqual(audit(r.body.id).map((a) => a.action), ['risk.create', 'risk.update']);
  // the register and the heat map
  const list = await as.nguphung.get(`/api/v1/risks?system=${s2.id}`);
  assert.equal(list.status, 200, list.text);
  assert.deepEqual(list.body.items.map((x) => x.id).sort(), [r.body.id, m.body.id].sort());
  const h = await as.nguphung.get('/api/v1/risks/heatmap');
  assert.equal(h.status, 200, h.text);
  assert.equal(h.body.org.code, 'pq-nguphung');
  assert.equal(h.body.total, 4);
  assert.equal(h.body.grid[1][3], 1, 'likelihood 2 × impact 4');
  assert.equal(h.body.grid[0][2], 1, 'likelihood 1 × impact 3');
  assert.equal(h.body.grid[2][2], 1, 'likelihood 3 × impact 3');
  assert.equal(h.body.grid[0][0], 1, 'likelihood 1 × impact 1');
  assert.deepEqual(h.body.bands, { low: 2, medium: 2, high: 0, critical: 0 });
  assert.equal(h.body.cells.length, 25);
  // the district sees its communes' risks in its map
  const d = await as.dieuphoi.get('/api/v1/risks/heatmap');
  assert.ok(d.body.total >= 5, JSON.stringify(d.body.bands));
  const dn = await as.dieuphoi.get('/api/v1/risks/heatmap?org=pq-nguphung');
  assert.deepEqual(dn.body.grid, h.body.grid);
});

test('hints: incidents of each type in the organisation, open findings, warnings; a suggested likelihood', async () => {
  const s = (await as.tamthanh.get('/api/v1/systems')).body.items.find((x) => x.name === 'Phần mềm quản lý văn bản xã Tam Thanh');
  assert.ok(s, 'the demo system');
  const h = await as.tamthanh.get(`/api/v1/systems/${s.id}/risk-hints`);
  assert.equal(h.status, 200, h.text);
  assert.ok(h.body.incidents_by_type.defacement >= 1, JSON.stringify(h.body));
  assert.equal(h.body.level, 2);
  assert.ok(h.body.suggested_likelihood.defacement >= 2);
  assert.equal(h.body.suggested_likelihood.disaster, 1);
  assert.equal(typeof h.body.warnings_open, 'number');
  assert.equal(typeof h.body.known_exploited, 'number');
  // the demo's two risks of that system
  const l = await as.tamthanh.get(`/api/v1/risks?system=${s.id}`);
  assert.deepEqual(l.body.items.map((x) => x.threat).sort(), ['defacement', 'disaster']);
});

test('another agency\'s register is not found; a leader reads, does not write', async () => {
  const s = await system('tamthanh', 3);
  const r = await as.tamthanh.post('/api/v1/risks', { system_id: s.id, threat: 'dos', likelihood: 2, impact: 2 });
  assert.equal(r.status, 201, r.text);
  const other = as.longhai;
  assertProblem(await other.get(`/api/v1/risks/${r.body.id}`), 404);
  assertProblem(await other.patch(`/api/v1/risks/${r.body.id}`, { likelihood: 5 }, im(r.body.version)), 404);
  assertProblem(await other.get('/api/v1/risks?org=pq-tamthanh'), 404);
  assertProblem(await other.get('/api/v1/risks/heatmap?org=pq-tamthanh'), 404);
  assertProblem(await other.get(`/api/v1/systems/${s.id}/risk-hints`), 404);
  assertProblem(await as.nguphung.post('/api/v1/risks', { system_id: s.id, threat: 'malware', likelihood: 2, impact: 2 }), 422, '/system_id');
  assert.ok(!(await other.get('/api/v1/risks')).text.includes(r.body.id));
  assertProblem(await other.get('/api/v1/risks/heatmap?org=khong-co'), 404);
  // the finance office sees no risks of the district
  assertProblem(await as.taichinh.get(`/api/v1/risks/${r.body.id}`), 404);
  const lead = await as.lanhdao.get(`/api/v1/risks/${r.body.id}`);
  assert.equal(lead.status, 200, lead.text);
  assertProblem(await as.lanhdao.patch(`/api/v1/risks/${r.body.id}`, { likelihood: 5 }, im(r.body.version)), 403);
  assertProblem(await as.lanhdao.post('/api/v1/risks', { system_id: s.id, threat: 'malware', likelihood: 2, impact: 2 }), 403);
});

test('bad input to the register: bounds, types, vocabulary, unknown fields, bad UTF-8', async () => {
  const s = await system('tamthanh', 1);
  const base = { system_id: s.id, threat: 'phishing', likelihood: 3, impact: 3 };
  for (const [field, value] of [['likelihood', 0], ['likelihood', 6], ['likelihood', '3'], ['likelihood', 2.5],
    ['impact', -1], ['impact', null], ['threat', 'alien'], ['threat', 7], ['controls', 'x'.repeat(4001)],
    ['owner', 'ô'.repeat(151)], ['review_at', 'ngày mai'], ['system_id', 'not-a-uuid']]) {
    assertProblem(await as.tamthanh.post('/api/v1/risks', { ...base, [field]: value }), 422, `/${field}`);
  }
  assertProblem(await as.tamthanh.post('/api/v1/risks', { ...base, score: 9 }), 422, '/score');
  assertProblem(await as.tamthanh.post('/api/v1/risks', { threat: 'dos' }), 422, ['/system_id', '/likelihood', '/impact']);
  assertProblem(await as.tamthanh.post('/api/v1/risks', { ...base, system_id: '01900000-0000-7000-8000-000000000000' }), 422, '/system_id');
  const bad = Buffer.concat([Buffer.from(`{"system_id":"${s.id}","threat":"dos","likelihood":1,"impact":1,"owner":"`), Buffer.from([0xc3, 0x28]), Buffer.from('"}')]);
  assertProblem(await as.tamthanh.post('/api/v1/risks', bad), 400);
  assertProblem(await as.tamthanh.get('/api/v1/risks?system=x%27%20OR%201'), 422);
  assertProblem(await as.tamthanh.get('/api/v1/risks/not-an-id'), 404);
  // nothing was made by any of these
  assert.equal((await as.tamthanh.get(`/api/v1/risks?system=${s.id}`)).body.items.length, 0);
});

test('resources: equipment, contractors with their contract, people with skills; bounds and scope', async () => {
  const c = await as.tamthanh.post('/api/v1/resources', { kind: 'contractor', name: u('Công ty An ninh mạng'), scope: 'Giám sát 24/7',
    contact: '0909 000 111', contract_from: '2026-01-01T00:00:00Z', contract_to: '2099-12-31T00:00:00Z' });
  assert.equal(c.status, 201, c.text);
  assert.equal(c.body.contract_active, true);
  const p = await as.tamthanh.post('/api/v1/resources', { kind: 'person', name: u('Trần Thị Bích'), skills: 'Quản trị mạng, phân tích nhật ký' });
  assert.equal(p.status, 201, p.text);
  assertProblem(await as.tamthanh.post('/api/v1/resources', { kind: 'contractor', name: 'X', contract_from: '2026-06-01T00:00:00Z', contract_to: '2026-01-01T00:00:00Z' }), 422, '/contract_to');
  assertProblem(await as.tamthanh.post('/api/v1/resources', { kind: 'robot', name: 'X' }), 422, '/kind');
  assertProblem(await as.tamthanh.post('/api/v1/resources', { kind: 'tool', name: '' }), 422, '/name');
  assertProblem(await as.tamthanh.post('/api/v1/resources', { kind: 'tool', name: 'X', quantity: -1 }), 422, '/quantity');
  assertProblem(await as.tamthanh.post('/api/v1/resources', { kind: 'tool', name: 'X', org_code: 'pq-longhai' }), 422, '/org_code');
  // the contract may not end before it starts through a PATCH either
  assertProblem(await as.tamthanh.patch(`/api/v1/resources/${c.body.id}`, { contract_to: '2025-01-01T00:00:00Z' }, im(c.body.version)), 422, '/contract_to');
  const r = await as.tamthanh.patch(`/api/v1/resources/${c.body.id}`, { retired: true }, im(c.body.version));
  assert.equal(r.status, 200, r.text);
  assert.ok(r.body.retired_at);
  const people = await as.tamthanh.get('/api/v1/resources?kind=person');
  assert.ok(people.body.items.some((x) => x.id === p.body.id));
  assert.ok(people.body.items.every((x) => x.kind === 'person'));
  assertProblem(await as.tamthanh.get('/api/v1/resources?kind=robot'), 422);
  assertProblem(await as.longhai.get('/api/v1/resources?org=pq-tamthanh'), 404);
  assertProblem(await as.longhai.patch(`/api/v1/resources/${p.body.id}`, { name: 'Đổi' }, im(p.body.version)), 404);
  assertProblem(await as.lanhdao.patch(`/api/v1/resources/${p.body.id}`, { name: 'Đổi' }, im(p.body.version)), 403);
});

test('budget: draft, submitted to the finance office; a submitted number is corrected only with a reason, kept in the audit log', async () => {
  const b = await as.longhai.post('/api/v1/budget-lines', { year, category: 'equipment', description: 'Tường lửa cho xã', planned: 30000000 });
  assertProblem(b, 403);   // longhai is a reporter only
  const l = await as.nguphung.post('/api/v1/budget-lines', { year, category: 'equipment', description: 'Tường lửa cho xã Ngũ Phụng', planned: 30000000 });
  assert.equal(l.status, 201, l.text);
  assert.equal(l.body.status, 'draft');
  // a draft: the finance office does not see it
  const seen = await as.taichinh.get('/api/v1/budget-lines?org=pq-nguphung');
  assert.equal(seen.status, 200, seen.text);
  assert.ok(!seen.text.includes(l.body.id));
  assert.ok(!(await as.taichinh.get('/api/v1/budget-lines')).text.includes(l.body.id));
  assertProblem(await as.taichinh.get('/api/v1/budget-lines?org=stttt-bth'), 404);
  assertProblem(await as.longhai.get('/api/v1/budget-lines?org=pq-nguphung'), 404);
  const e = await as.nguphung.patch(`/api/v1/budget-lines/${l.body.id}`, { planned: 32000000, spent: null }, im(l.body.version));
  assert.equal(e.status, 200, e.text);
  assert.equal(e.body.planned, 32000000);
  const n0 = await as.nguphung.patch(`/api/v1/budget-lines/${l.body.id}`, { planned: null }, im(e.body.version));
  assert.equal(n0.status, 200, n0.text);
  assert.equal(n0.body.planned, 32000000, 'null leaves an amount as it is');
  assertProblem(await as.nguphung.post(`/api/v1/budget-lines/${l.body.id}/submit`), 428);
  const s = await as.nguphung.post(`/api/v1/budget-lines/${l.body.id}/submit`, undefined, im(n0.body.version));
  assert.equal(s.status, 200, s.text);
  assert.equal(s.body.status, 'submitted');
  assert.ok(s.body.submitted_at);
  assertProblem(await as.nguphung.post(`/api/v1/budget-lines/${l.body.id}/submit`, undefined, im(s.body.version)), 409);
  // the finance office sees it now, cannot change it
  assert.ok((await as.taichinh.get('/api/v1/budget-lines')).body.items.some((x) => x.id === l.body.id));
  assert.deepEqual((await as.taichinh.get('/api/v1/budget-lines?org=pq-nguphung')).body.items.map((x) => x.id), [l.body.id]);
  assertProblem(await as.taichinh.patch(`/api/v1/budget-lines/${l.body.id}`, { planned: 1, reason: 'x' }, im(s.body.version)), 403);
  // correction: a reason is required, and kept
  assertProblem(await as.nguphung.patch(`/api/v1/budget-lines/${l.body.id}`, { planned: 35000000 }, im(s.body.version)), 422, '/reason');
  assertProblem(await as.nguphung.patch(`/api/v1/budget-lines/${l.body.id}`, { planned: 35000000, reason: '   ' }, im(s.body.version)), 422, '/reason');
  const c = await as.nguphung.patch(`/api/v1/budget-lines/${l.body.id}`, { planned: 35000000, spent: 12500000, reason: 'Báo giá mới của nhà cung cấp' }, im(s.body.version));
  assert.equal(c.status, 200, c.text);
  assert.equal(c.body.planned, 35000000);
  assert.equal(c.body.spent, 12500000);
  assert.equal(c.body.status, 'submitted');
  const log = audit(l.body.id);
  assert.deepEqual(log.map((a) => a.action), ['budget.create', 'budget.update', 'budget.update', 'budget.submit', 'budget.correct']);
  assert.equal(JSON.parse(log[4].after).reason, 'Báo giá mới của nhà cung cấp');
  assert.equal(JSON.parse(log[4].after).planned, 35000000);
});

test('budget bounds: whole VND within limits, a year, the plan\'s categories', async () => {
  const base = { year, category: 'training', planned: 1000 };
  for (const [field, value] of [['planned', -1], ['planned', 1.5], ['planned', '1000'], ['planned', 1e16],
    ['spent', -5], ['year', 1999], ['year', 2101], ['category', 'banh-mi'], ['description', 'x'.repeat(2001)]]) {
    assertProblem(await as.tamthanh.post('/api/v1/budget-lines', { ...base, [field]: value }), 422, `/${field}`);
  }
  const big = await as.tamthanh.post('/api/v1/budget-lines', { ...base, planned: 1e15 });
  assert.equal(big.status, 201, big.text);
  assert.equal(big.body.planned, 1e15);
  assertProblem(await as.tamthanh.get('/api/v1/budget-lines?year=abc'), 422);
  assertProblem(await as.tamthanh.get('/api/v1/budget/rollup'), 422, '/year');
  assertProblem(await as.tamthanh.get('/api/v1/budget/rollup?year=1900'), 422);
});

// The workbook's parts and text, read with Python's zipfile (the e2e test
// reads the same export with a spreadsheet library, exceljs).
function xlsxText(xlsx) {
  const dir = mkdtempSync(join(tmpdir(), 'ungcuu-xlsx-'));
  try {
    writeFileSync(join(dir, 'r.xlsx'), xlsx);
    const py = 'import sys, zipfile, json; z = zipfile.ZipFile(sys.argv[1]); '
      + 'print(json.dumps({n: z.read(n).decode("utf-8") for n in z.namelist() if n.endswith(".xml")}))';
    return JSON.parse(execFileSync('python3', ['-c', py, join(dir, 'r.xlsx')]).toString());
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('the finance office rolls up the district\'s submitted lines and exports them as XLSX and CSV', async () => {
  // a draft of the district office: not in the roll-up
  const draft = await as.dieuphoi.post('/api/v1/budget-lines', { year, category: 'other', description: u('Dự phòng chưa gửi'), planned: 777 });
  assert.equal(draft.status, 201, draft.text);
  const desc = u('Thuê chuyên gia đánh giá an toàn thông tin');
  const l = await as.tamthanh.post('/api/v1/budget-lines', { year, category: 'services', description: desc, planned: 20000000, spent: 5000000 });
  assert.equal(l.status, 201, l.text);
  assert.equal((await as.tamthanh.post(`/api/v1/budget-lines/${l.body.id}/submit`, undefined, im(l.body.version))).status, 200);

  const r = await as.taichinh.get(`/api/v1/budget/rollup?year=${year}`);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.org.code, 'pq');
  assert.equal(r.body.finance_office, true);
  assert.ok(r.body.lines.every((x) => x.status === 'submitted'));
  assert.ok(r.body.lines.some((x) => x.id === l.body.id));
  assert.ok(!r.text.includes(draft.body.id));
  const sum = (k) => r.body.lines.reduce((a, x) => a + x[k], 0);
  assert.equal(r.body.total.planned, sum('planned'));
  assert.equal(r.body.total.spent, sum('spent'));
  const tt = r.body.by_org.find((x) => x.of.code === 'pq-tamthanh');
  assert.ok(tt && tt.planned >= 20000000 + 27000000, JSON.stringify(tt));
  assert.equal(r.body.by_category.length, 8);

  // CSV: one row per line and the total
  const csv = await as.taichinh.get(`/api/v1/budget/rollup.csv?year=${year}`);
  assert.equal(csv.status, 200, csv.text);
  assert.match(csv.headers.get('content-type'), /^text\/csv/);
  const rows = csv.text.trim().split('\r\n');
  assert.equal(rows[0], 'org_code,org,year,category,category_label,description,planned_vnd,spent_vnd,submitted_at');
  assert.equal(rows.length, r.body.lines.length + 2);
  assert.ok(rows.some((x) => x.startsWith('pq-tamthanh,UBND xã Tam Thanh,') && x.includes(desc) && x.includes(',20000000,5000000,')), rows.join('\n'));
  assert.equal(rows.at(-1), `,Tổng cộng,${year},,,,${r.body.total.planned},${r.body.total.spent},`);

  // XLSX, read back by a real reader (LibreOffice)
  const x = await fetch(`${server.url}/api/v1/budget/rollup.xlsx?year=${year}`, { headers: { Cookie: as.taichinh.cookie } });
  assert.equal(x.status, 200);
  assert.equal(x.headers.get('content-type'), 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
  const bytes = Buffer.from(await x.arrayBuffer());
  assert.equal(bytes.subarray(0, 2).toString(), 'PK');
  const parts = xlsxText(bytes);
  assert.ok(parts['xl/workbook.xml'].includes('name="Chi tiết"') && parts['xl/workbook.xml'].includes('name="Theo đơn vị"'), parts['xl/workbook.xml']);
  const strings = parts['xl/sharedStrings.xml'];
  for (const t of [`Tổng hợp dự toán kinh phí ứng cứu sự cố năm ${year}`, 'Mã đơn vị', 'Dự toán (đồng)', 'UBND xã Tam Thanh',
    'Thuê dịch vụ, chuyên gia, nhà thầu', desc, 'Tổng cộng']) assert.ok(strings.includes(`>${t}<`), `${t} in the shared strings`);
  assert.ok(parts['xl/worksheets/sheet1.xml'].includes(`<v>${r.body.total.planned}</v>`), 'the total as a number');
  assert.ok(parts['xl/worksheets/sheet2.xml'].includes(`<v>${r.body.total.planned}</v>`), 'the total per organisation sheet');

  // Outside the finance office: a commune has no roll-up of the district; the
  // office sees nothing of another district or the province.
  assertProblem(await as.longhai.get(`/api/v1/budget/rollup?year=${year}&org=pq`), 404);
  assertProblem(await as.longhai.get(`/api/v1/budget/rollup.xlsx?year=${year}&org=pq`), 404);
  assertProblem(await as.taichinh.get(`/api/v1/budget/rollup?year=${year}&org=stttt-bth`), 404);
  assertProblem(await as.taichinh.get(`/api/v1/budget/rollup.csv?year=${year}&org=vncert`), 404);
  // the district coordinator sees the same roll-up of its own subtree
  const d = await as.dieuphoi.get(`/api/v1/budget/rollup?year=${year}`);
  assert.equal(d.status, 200, d.text);
  assert.equal(d.body.total.planned, r.body.total.planned);
  assert.equal(d.body.finance_office, false);
  // a commune's roll-up is its own lines only
  const own = await as.tamthanh.get(`/api/v1/budget/rollup?year=${year}`);
  assert.ok(own.body.lines.every((x) => x.org.code === 'pq-tamthanh'));
});

test('from the shell: the finance office is marked, the roll-up exported, the heat map printed', async () => {
  const out = execFileSync(process.env.UNGCUU_BIN ?? 'build/ungcuu', ['admin', 'org', 'finance-office', '--db', server.db, '--org', 'pq-vhtt', '--json']).toString();
  assert.deepEqual(JSON.parse(out).finance_office, true);
  const off = execFileSync(process.env.UNGCUU_BIN ?? 'build/ungcuu', ['admin', 'org', 'finance-office', '--db', server.db, '--org', 'pq-vhtt', '--off', '--json']).toString();
  assert.deepEqual(JSON.parse(off).finance_office, false);
  // the roll-up and the heat map from the shell (the island's link may be down)
  const bin = process.env.UNGCUU_BIN ?? 'build/ungcuu';
  const dir = mkdtempSync(join(tmpdir(), 'ungcuu-budget-'));
  try {
    execFileSync(bin, ['admin', 'budget', 'export', '--db', server.db, '--year', String(year), '--org', 'pq', '--out', join(dir, 'r.xlsx')]);
    const parts = xlsxText(readFileSync(join(dir, 'r.xlsx')));
    assert.ok(parts['xl/sharedStrings.xml'].includes('>UBND xã Tam Thanh<'));
    execFileSync(bin, ['admin', 'budget', 'export', '--db', server.db, '--year', String(year), '--org', 'pq', '--format', 'csv', '--out', join(dir, 'r.csv')]);
    const api = await as.dieuphoi.get(`/api/v1/budget/rollup.csv?year=${year}`);
    assert.equal(readFileSync(join(dir, 'r.csv'), 'utf8'), api.text);
    let again;
    try { execFileSync(bin, ['admin', 'budget', 'export', '--db', server.db, '--year', String(year), '--out', join(dir, 'r.csv')], { stdio: 'pipe' }); } catch (e) { again = e; }
    assert.ok(again && again.status === 1, 'an existing file is never overwritten');
    assert.equal(readFileSync(join(dir, 'r.csv'), 'utf8'), api.text);
    let bad;
    try { execFileSync(bin, ['admin', 'budget', 'export', '--db', server.db, '--year', '20x6', '--out', join(dir, 'x')], { stdio: 'pipe' }); } catch (e) { bad = e; }
    assert.equal(bad?.status, 2);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const map = JSON.parse(execFileSync(bin, ['admin', 'risk', 'heatmap', '--db', server.db, '--org', 'pq-tamthanh', '--json']).toString());
  assert.deepEqual(map, (await as.tamthanh.get('/api/v1/risks/heatmap')).body);
  assert.match(execFileSync(bin, ['admin', 'risk', 'heatmap', '--db', server.db, '--org', 'pq-tamthanh']).toString(), /UBND xã Tam Thanh\n/);
  let err;
  try {
    execFileSync(process.env.UNGCUU_BIN ?? 'build/ungcuu', ['admin', 'org', 'finance-office', '--db', server.db, '--org', 'khong-co'], { stdio: 'pipe' });
  } catch (e) { err = e; }
  assert.ok(err && err.status !== 0);
  assert.match(err.stderr.toString(), /khong-co|Không/);
});

test('a roll-up is never cut short: past 10,000 lines it is refused (413), in every format', async () => {
  // 10,001 submitted lines of 2099, written straight into the database
  const org = (await as.tamthanh.get('/api/v1/budget-lines')).body.org.id;
  sqlite3([server.db, `PRAGMA busy_timeout = 10000;
    WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 10001)
    INSERT INTO budget_lines (id, org_id, year, category, description, planned, spent, status, submitted_at, version, created_at, updated_at)
    SELECT printf('01a00000-0000-7000-8000-%012d', i), '${org.replace(/[^0-9a-f-]/g, '')}', 2099, 'other', '', 1, 0, 'submitted', 1, 1, 1, 1 FROM n;`]);
  for (const ext of ['', '.csv', '.xlsx']) {
    const p = assertProblem(await as.taichinh.get(`/api/v1/budget/rollup${ext}?year=2099`), 413);
    assert.match(p.detail, /10000/);
  }
  const ok = await as.taichinh.get(`/api/v1/budget/rollup?year=${year}`);
  assert.equal(ok.status, 200, ok.text);
});
