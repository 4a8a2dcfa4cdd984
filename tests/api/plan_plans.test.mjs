// Response plans and playbooks (issue 15, items 2 and 3; h/plans): an
// agency drafts a plan pre-filled from the registry, edits it, submits it,
// the leader approves it with the decision's number and date; an approved
// plan refuses edits and a new version is made from it; the diff between
// versions; the district's view; another organisation gets 404; an
// incident classified as ransomware gets the approved playbook's steps as
// tasks, once.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { startServer, sqlite3 } from '../lib/server.mjs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, before, after, loginAs, assertProblem, file, moveOk, run, bin } from './helpers.mjs';
import { pdfText, pdfFonts, renderPng, docxTexts, download, NATION, MOTTO, vnDateWords } from '../lib/documents.mjs';

const flat = (s) => s.replace(/\s+/g, ' ');

let server, tam, coord, lead, ngu, admin;
const im = (v) => ({ 'If-Match': `"${v}"` });
const today = () => new Date(Date.now() + 7 * 3600_000).toISOString().slice(0, 10);

before(async () => {
  server = await startServer();
  tam = await loginAs(server, 'tamthanh');
  coord = await loginAs(server, 'dieuphoi');
  lead = await loginAs(server, 'lanhdao');
  ngu = await loginAs(server, 'nguphung');
  admin = await loginAs(server, 'admin');
});
after(async () => {
  await server?.stop();
  // Under ASan/UBSan (build-asan) the server reports leaks and undefined behaviour on exit.
  assert.doesNotMatch(server?.stderr() ?? '', /AddressSanitizer|LeakSanitizer|runtime error/);
});

function sql(q) {
  const out = sqlite3(['-json', server.db, q]).toString();
  return out.trim() ? JSON.parse(out) : [];
}

let plan;   // Tam Thanh's plan, version 1, carried through the tests below (run in order)
let camera, cameraPlan;   // a system of level 4 and its own plan (a draft)

test('an agency drafts a plan: the outline\'s sections in order, pre-filled from the registry; one open version at a time', async () => {
  const sys = await tam.post('/api/v1/systems', { name: 'Cổng dịch vụ công xã Tam Thanh', level: 3, function: 'citizen_facing', contractor: 'Công ty Phần mềm Biển Xanh' });
  assert.equal(sys.status, 201, sys.text);
  // The register's risk of this system goes into the plan's risks section.
  const risk = await tam.post('/api/v1/risks', { system_id: sys.body.id, threat: 'encryption', likelihood: 4, impact: 5, controls: 'Sao lưu hằng tuần', treatment: 'Sao lưu ngoại tuyến hằng ngày' });
  assert.equal(risk.status, 201, risk.text);
  const outline = await tam.get('/api/v1/plan-outline');
  assert.equal(outline.status, 200, outline.text);
  const r = await tam.post('/api/v1/plans', {});
  assert.equal(r.status, 201, r.text);
  plan = r.body;
  assert.equal(plan.status, 'draft');
  assert.equal(plan.number, 1);
  assert.equal(plan.org.code, 'pq-tamthanh');
  assert.deepEqual(plan.sections.map((s) => s.code), outline.body.sections.map((s) => s.code));
  const sec = Object.fromEntries(plan.sections.map((s) => [s.kind, s.text]));
  assert.match(sec.state, /Cổng dịch vụ công xã Tam Thanh: cấp độ 3/);
  assert.match(sec.resources, /Sở Thông tin và Truyền thông tỉnh Bình Thuận/);
  assert.match(sec.resources, /Công ty Phần mềm Biển Xanh/);
  assert.match(sec.priorities, /Ưu tiên duy trì, khôi phục trước hệ thống có cấp độ cao hơn/);
  assert.match(sec.organisation, /Đầu mối chính: Trần Thị Bích/);
  assert.match(sec.training, /Diễn tập thực tế hằng năm: Cổng dịch vụ công xã Tam Thanh/);
  assert.match(sec.risks, /- Cổng dịch vụ công xã Tam Thanh: Mã hóa phần mềm, dữ liệu, thiết bị — khả năng xảy ra 4, mức ảnh hưởng 5 \(điểm 20, mức nghiêm trọng\)\. Biện pháp hiện có: Sao lưu hằng tuần\. Xử lý: Sao lưu ngoại tuyến hằng ngày\./,
    'the risks section is filled from the register, the highest score first');
  const threats = plan.scenarios.map((s) => s.threat);
  for (const t of ['dos', 'phishing', 'malware', 'intrusion', 'defacement', 'encryption', 'destruction', 'espionage', 'combined', 'other', 'fault', 'operator_error', 'disaster']) assert.ok(threats.includes(t), t);
  const enc = plan.scenarios.find((s) => s.threat === 'encryption');
  assert.deepEqual([...new Set(enc.steps.map((s) => s.phase))], ['identify', 'contain', 'evidence', 'eradicate', 'recover', 'coordinate']);
  assert.deepEqual(plan.actions, ['edit', 'submit']);
  assertProblem(await tam.post('/api/v1/plans', {}), 409);
  assert.equal(ETag(r), `"${plan.version}"`);
});

const ETag = (r) => r.headers.get('etag');

test('scope: another commune gets 404 for the plan, its diff, document and versions; the list shows it only in scope', async () => {
  for (const p of ['', '/diff', '/document?format=pdf']) assertProblem(await ngu.get(`/api/v1/plans/${plan.id}${p}`), 404);
  assertProblem(await ngu.post(`/api/v1/plans/${plan.id}/versions`), 404);
  assertProblem(await ngu.patch(`/api/v1/plans/${plan.id}`, { title: 'x' }, im(plan.version)), 404);
  assertProblem(await ngu.post(`/api/v1/plans/${plan.id}/transitions`, { to: 'submitted' }, im(plan.version)), 404);
  assert.ok(!(await ngu.get('/api/v1/plans')).body.items.some((p) => p.id === plan.id));
  assert.ok((await coord.get('/api/v1/plans')).body.items.some((p) => p.id === plan.id));
  // pages: newest first, a cursor, bounded
  const p1 = await coord.get('/api/v1/plans?limit=1');
  assert.equal(p1.body.items.length, 1);
  assert.ok(p1.body.next_cursor, 'the demo district has more plans than one');
  const p2 = await coord.get(`/api/v1/plans?limit=1&cursor=${p1.body.next_cursor}`);
  assert.equal(p2.body.items.length, 1);
  assert.ok(p2.body.items[0].id < p1.body.items[0].id);
  assertProblem(await coord.get('/api/v1/plans?limit=0'), 422, '/limit');
  assertProblem(await coord.get('/api/v1/plans?limit=201'), 422, '/limit');
  assertProblem(await coord.get('/api/v1/plans?cursor=abc'), 422, '/cursor');
  assertProblem(await coord.get('/api/v1/plans?status=published'), 422, '/status');
  assertProblem(await tam.post('/api/v1/plans', { org_code: 'pq-nguphung' }), 422, '/org_code');
  assertProblem(await tam.get('/api/v1/plans/not-a-uuid'), 404);
  // a leader reads but does not draft
  assertProblem(await lead.post('/api/v1/plans', { org_code: 'pq-longhai' }), 403);
});

test('editing a draft: If-Match, bounds, names the bad field, changes nothing when refused', async () => {
  const p = `/api/v1/plans/${plan.id}`;
  assertProblem(await tam.patch(p, { title: 'Không có If-Match' }), 428);
  assertProblem(await tam.patch(p, { title: 'Cũ' }, im(plan.version + 5)), 412);
  assertProblem(await tam.patch(p, { sections: [{ code: 'khong-co', text: 'x' }] }, im(plan.version)), 422, '/sections/0/code');
  assertProblem(await tam.patch(p, { sections: [{ code: 'state', text: 'x'.repeat(20001) }] }, im(plan.version)), 422, '/sections/0/text');
  assertProblem(await tam.patch(p, { sections: [{ code: 'state' }] }, im(plan.version)), 422, '/sections/0/text');
  assertProblem(await tam.patch(p, { sections: [{ code: 'state', text: 'a' }, { code: 'state', text: 'b' }] }, im(plan.version)), 422, '/sections/1/code');
  assertProblem(await tam.patch(p, { sections: 'state' }, im(plan.version)), 422, '/sections');
  assertProblem(await tam.patch(p, { scenarios: [{ threat: 'encryption', steps: [{ phase: 'pray', text: 'x' }] }] }, im(plan.version)), 422, '/scenarios/0/steps/0/phase');
  assertProblem(await tam.patch(p, { scenarios: [{ threat: 'encryption', steps: [{ phase: 'contain', text: 'ư'.repeat(200) }] }] }, im(plan.version)), 422, '/scenarios/0/steps/0/text');
  assertProblem(await tam.patch(p, { scenarios: [{ threat: 'encryption', steps: Array.from({ length: 31 }, () => ({ phase: 'contain', text: 'x' })) }] }, im(plan.version)), 422, '/scenarios/0/steps');
  assertProblem(await tam.patch(p, { scenarios: [{ threat: 'tsunami' }] }, im(plan.version)), 422, '/scenarios/0/threat');
  assertProblem(await tam.patch(p, { title: '' }, im(plan.version)), 422, '/title');
  assertProblem(await tam.patch(p, { title: 7 }, im(plan.version)), 422, '/title');
  assertProblem(await tam.patch(p, { colour: 'đỏ' }, im(plan.version)), 422, '/colour');
  // bad UTF-8 in the body
  const bad = Buffer.concat([Buffer.from('{"title":"'), Buffer.from([0xc3, 0x28]), Buffer.from('"}')]);
  const r0 = await tam.req('PATCH', p, bad, { ...im(plan.version), 'Content-Type': 'application/json' });
  assert.equal(r0.status, 400, r0.text);
  assert.equal((await tam.get(p)).body.version, plan.version, 'nothing changed');

  const steps = [
    { phase: 'identify', text: 'Xác định máy bị mã hóa đầu tiên qua nhật ký phần mềm diệt virus.' },
    { phase: 'contain', text: 'Rút cáp mạng các máy bị mã hóa; tắt thư mục chia sẻ của xã.' },
    { phase: 'recover', text: 'Khôi phục hồ sơ một cửa từ ổ sao lưu ngoại tuyến.' },
  ];
  const r = await tam.patch(p, {
    title: 'Kế hoạch ứng phó sự cố an toàn thông tin mạng xã Tam Thanh năm 2027',
    sections: [{ code: 'budget', text: 'Dự toán 2027: 45.000.000 đồng cho diễn tập và sao lưu.' }],
    scenarios: [{ threat: 'encryption', steps, support: 'Đội ứng cứu tỉnh' }],
  }, im(plan.version));
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.version, plan.version + 1);
  assert.equal(r.body.sections.find((s) => s.code === 'budget').text, 'Dự toán 2027: 45.000.000 đồng cho diễn tập và sao lưu.');
  assert.deepEqual(r.body.scenarios.find((s) => s.threat === 'encryption').steps, steps);
  assert.equal(r.body.scenarios.find((s) => s.threat === 'encryption').support, 'Đội ứng cứu tỉnh');
  plan = r.body;
});

test('submit, then the leader approves with the decision\'s number and date; only a leader, only with both', async () => {
  const p = `/api/v1/plans/${plan.id}`;
  assertProblem(await lead.post(`${p}/transitions`, { to: 'approved', decision_number: '1/QĐ', decision_date: today() }, im(plan.version)), 409);
  let r = await tam.post(`${p}/transitions`, { to: 'submitted' }, im(plan.version));
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.status, 'submitted');
  assert.equal(r.body.submitted_by, 'Trần Thị Bích');
  plan = r.body;
  assert.deepEqual(plan.actions, []);
  assert.deepEqual((await lead.get(p)).body.actions, ['approve', 'return']);
  // submitted: no edits
  assertProblem(await tam.patch(p, { title: 'Sửa khi chờ duyệt' }, im(plan.version)), 409);
  // a writer cannot approve; a leader needs the decision
  assertProblem(await tam.post(`${p}/transitions`, { to: 'approved', decision_number: '1/QĐ', decision_date: today() }, im(plan.version)), 403);
  assertProblem(await coord.post(`${p}/transitions`, { to: 'approved', decision_number: '1/QĐ', decision_date: today() }, im(plan.version)), 403);
  assertProblem(await lead.post(`${p}/transitions`, { to: 'approved' }, im(plan.version)), 422, ['/decision_number', '/decision_date']);
  assertProblem(await lead.post(`${p}/transitions`, { to: 'approved', decision_number: '1/QĐ', decision_date: '2099-01-01' }, im(plan.version)), 422, '/decision_date');
  assertProblem(await lead.post(`${p}/transitions`, { to: 'approved', decision_number: '1/QĐ', decision_date: '2026-02-30' }, im(plan.version)), 422, '/decision_date');
  assertProblem(await lead.post(`${p}/transitions`, { to: 'approved', decision_number: 'x'.repeat(65), decision_date: today() }, im(plan.version)), 422, '/decision_number');
  assertProblem(await lead.post(`${p}/transitions`, { to: 'published' }, im(plan.version)), 422, '/to');
  assertProblem(await lead.post(`${p}/transitions`, { to: 'approved', decision_number: '1/QĐ', decision_date: today() }), 428);
  assert.equal((await tam.get(p)).body.status, 'submitted');
  // returned with a reason, submitted again, approved
  assertProblem(await lead.post(`${p}/transitions`, { to: 'draft' }, im(plan.version)), 422, '/reason');
  r = await lead.post(`${p}/transitions`, { to: 'draft', reason: 'Bổ sung kinh phí diễn tập' }, im(plan.version));
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.return_reason, 'Bổ sung kinh phí diễn tập');
  r = await tam.post(`${p}/transitions`, { to: 'submitted' }, im(r.body.version));
  assert.equal(r.status, 200, r.text);
  r = await lead.post(`${p}/transitions`, { to: 'approved', decision_number: '125/QĐ-UBND', decision_date: today() }, im(r.body.version));
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.status, 'approved');
  assert.equal(r.body.decision_number, '125/QĐ-UBND');
  assert.equal(r.body.decision_date, today());
  assert.equal(r.body.approved_by, 'Ngô Thị Giang (Lãnh đạo UBND huyện)');
  plan = r.body;
  const audit = sql(`SELECT action FROM audit_log WHERE entity_id = '${plan.id}' ORDER BY seq`).map((x) => x.action);
  assert.deepEqual(audit, ['plan.create', 'plan.update', 'plan.submit', 'plan.return', 'plan.submit', 'plan.approve']);
});

test('an approved plan refuses edits; a new version is made from it, diffed, approved, and the old one is superseded', async () => {
  const p = `/api/v1/plans/${plan.id}`;
  const e = assertProblem(await tam.patch(p, { title: 'Sửa kế hoạch đã duyệt' }, im(plan.version)), 409);
  assert.match(e.detail, /phiên bản mới/);
  assertProblem(await tam.post(`${p}/transitions`, { to: 'submitted' }, im(plan.version)), 409);
  assert.deepEqual((await tam.get(p)).body.actions, ['new_version']);
  assert.deepEqual((await lead.get(p)).body.actions, []);
  const v = await tam.post(`${p}/versions`);
  assert.equal(v.status, 201, v.text);
  assert.equal(v.body.number, 2);
  assert.equal(v.body.based_on, plan.id);
  assert.equal(v.body.status, 'draft');
  assert.deepEqual(v.body.sections, plan.sections);
  assertProblem(await tam.post(`${p}/versions`), 409);
  const budget = 'Dự toán 2027: 45.000.000 đồng cho diễn tập và sao lưu.';
  const e2 = await tam.patch(`/api/v1/plans/${v.body.id}`, {
    sections: [{ code: 'budget', text: 'Dự toán 2027: 60.000.000 đồng cho diễn tập và sao lưu.\nThuê đơn vị giám sát: 20.000.000 đồng.' }],
  }, im(v.body.version));
  assert.equal(e2.status, 200, e2.text);
  const d = await tam.get(`/api/v1/plans/${v.body.id}/diff`);
  assert.equal(d.status, 200, d.text);
  assert.equal(d.body.from.id, plan.id);
  assert.deepEqual(d.body.sections.map((s) => s.code), ['budget']);
  assert.deepEqual(d.body.sections[0].removed, [budget]);
  assert.deepEqual(d.body.sections[0].added, ['Dự toán 2027: 60.000.000 đồng cho diễn tập và sao lưu.', 'Thuê đơn vị giám sát: 20.000.000 đồng.']);
  assertProblem(await tam.get(`/api/v1/plans/${v.body.id}/diff?from=01a24e87-0000-7000-8000-000000000000`), 422, '/from');
  // approve version 2: version 1 is superseded
  let r = await tam.post(`/api/v1/plans/${v.body.id}/transitions`, { to: 'submitted' }, im(e2.body.version));
  assert.equal(r.status, 200, r.text);
  r = await lead.post(`/api/v1/plans/${v.body.id}/transitions`, { to: 'approved', decision_number: '130/QĐ-UBND', decision_date: today() }, im(r.body.version));
  assert.equal(r.status, 200, r.text);
  const old = (await tam.get(p)).body;
  assert.equal(old.status, 'superseded');
  assert.ok(old.superseded_at);
  // the diff from 2 back to 1 by id
  const back = await tam.get(`/api/v1/plans/${plan.id}/diff?from=${v.body.id}`);
  assert.equal(back.status, 200, back.text);
  assert.deepEqual(back.body.sections[0].added, [budget]);
  plan = r.body;
});

test('a separate plan for a system only of level 4 or 5, of the organisation', async () => {
  const low = await tam.post('/api/v1/systems', { name: 'Phần mềm kế toán xã', level: 2 });
  assertProblem(await tam.post('/api/v1/plans', { system_id: low.body.id }), 422, '/system_id');
  const hi = await tam.post('/api/v1/systems', { name: 'Hệ thống camera an ninh xã', level: 4 });
  const r = await tam.post('/api/v1/plans', { system_id: hi.body.id });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.body.system.name, 'Hệ thống camera an ninh xã');
  camera = hi.body;
  cameraPlan = r.body;
  assert.equal(r.body.number, 1);
  assert.match(r.body.sections.find((s) => s.kind === 'state').text, /Hệ thống camera an ninh xã: cấp độ 4/);
  assert.doesNotMatch(r.body.sections.find((s) => s.kind === 'state').text, /Cổng dịch vụ công/);
  assertProblem(await ngu.post('/api/v1/plans', { system_id: hi.body.id }), 422, '/system_id');
  // versions of another plan (the organisation's) are not diffed with it
  assertProblem(await tam.get(`/api/v1/plans/${r.body.id}/diff?from=${plan.id}`), 422, '/from');
  const first = await tam.get(`/api/v1/plans/${r.body.id}/diff`);
  assert.equal(first.body.from, null, 'version 1 is diffed against nothing');
  assert.ok(first.body.sections.every((x) => x.removed.length === 0));
});

test('the district sees which agencies have a current approved plan', async () => {
  const r = await coord.get('/api/v1/plans/compliance');
  assert.equal(r.status, 200, r.text);
  const by = Object.fromEntries(r.body.items.map((x) => [x.org.code, x]));
  assert.equal(by['pq-tamthanh'].status, 'approved');
  assert.equal(by['pq-tamthanh'].current.decision_number, '130/QĐ-UBND');
  assert.equal(by['pq-tamthanh'].current.number, 2);
  assert.equal(by['pq-tamthanh'].systems[0].name, 'Hệ thống camera an ninh xã');
  assert.equal(by['pq-tamthanh'].systems[0].current, null);
  assert.equal(by['pq-tamthanh'].systems[0].open.status, 'draft');
  assert.equal(by['pq-longhai'].status, 'none');
  // the demo district's own: the Economy and Finance office approved, Culture awaiting the leader
  assert.equal(by['pq-kttc'].status, 'approved');
  assert.equal(by['pq-vhtt'].status, 'submitted');
  assert.equal(by['pq-vhtt'].open.status, 'submitted');
  assert.equal(by['pq-longhai'].current, null);
  assert.ok(!by['stttt-bth'] && !by.vncert, 'not the province or the nation');
  assert.equal(r.body.approved, r.body.items.filter((x) => x.current).length);
  // a commune sees itself only
  const own = await ngu.get('/api/v1/plans/compliance');
  assert.deepEqual(own.body.items.map((x) => x.org.code), ['pq-nguphung']);
});

test('an incident classified as ransomware gets the approved playbook\'s steps as tasks; the playbook shows which are done', async () => {
  const i = await file(tam, { type: 'malware' });
  let v = (await moveOk(coord, i.id, { to: 'acknowledged' }, i.version)).version;
  v = (await moveOk(coord, i.id, { to: 'verified' }, v)).version;
  const c = await moveOk(coord, i.id, { to: 'classified', severity: 'high', type: 'encryption' }, v);
  const steps = plan.scenarios.find((s) => s.threat === 'encryption').steps;
  const titles = c.tasks.map((t) => t.title);
  assert.deepEqual(titles, steps.map((s, k) => `${k + 1}. ${s.text}`));
  const pb = await tam.get(`/api/v1/incidents/${i.id}/playbook`);
  assert.equal(pb.status, 200, pb.text);
  assert.deepEqual(pb.body.items.map((s) => [s.step, s.phase, s.done]), [[1, 'identify', false], [2, 'contain', false], [3, 'recover', false]]);
  assert.equal(pb.body.items[0].plan.number, 2);
  const t = c.tasks[1];
  const d = await coord.patch(`/api/v1/incidents/${i.id}/tasks/${t.id}`, { done: true });
  assert.equal(d.status, 200, d.text);
  const pb2 = await tam.get(`/api/v1/incidents/${i.id}/playbook`);
  assert.deepEqual(pb2.body.items.map((s) => s.done), [false, true, false]);
  assertProblem(await ngu.get(`/api/v1/incidents/${i.id}/playbook`), 404);
  // an organisation without an approved plan: classified, no tasks
  const j = await file(ngu, { type: 'encryption' });
  let w = (await moveOk(coord, j.id, { to: 'acknowledged' }, j.version)).version;
  w = (await moveOk(coord, j.id, { to: 'verified' }, w)).version;
  const cj = await moveOk(coord, j.id, { to: 'classified', severity: 'medium' }, w);
  assert.deepEqual(cj.tasks, []);
  assert.deepEqual((await ngu.get(`/api/v1/incidents/${j.id}/playbook`)).body.items, []);
});

test('the outline is data: an administrator of the instance changes it (If-Match), a new plan follows it, old plans keep theirs', async () => {
  const o = (await admin.get('/api/v1/plan-outline')).body;
  assertProblem(await coord.req('PUT', '/api/v1/plan-outline', { sections: o.sections }, im(o.version)), 403);
  const bad = await admin.req('PUT', '/api/v1/plan-outline', { sections: [{ code: 'Sai Mã', kind: 'text', title_vi: 'x', title_en: 'x' }] }, im(o.version));
  assertProblem(bad, 422, '/sections/0/code');
  assertProblem(await admin.req('PUT', '/api/v1/plan-outline', { sections: [] }, im(o.version)), 422, '/sections');
  assertProblem(await admin.req('PUT', '/api/v1/plan-outline', { sections: [{ code: 'a', kind: 'poem', title_vi: 'x', title_en: 'x' }] }, im(o.version)), 422, '/sections/0/kind');
  const sections = [...o.sections.map(({ code, kind, title_vi, title_en, guidance }) => ({ code, kind, title_vi, title_en, guidance })),
    { code: 'phu-luc', kind: 'text', title_vi: 'Phụ lục: danh bạ khẩn cấp', title_en: 'Annex: emergency contacts' }];
  assertProblem(await admin.req('PUT', '/api/v1/plan-outline', { sections }), 428);
  const r = await admin.req('PUT', '/api/v1/plan-outline', { sections }, im(o.version));
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.version, o.version + 1);
  assertProblem(await admin.req('PUT', '/api/v1/plan-outline', { sections }, im(o.version)), 412);
  const n = await ngu.post('/api/v1/plans', {});
  assert.equal(n.status, 201, n.text);
  assert.equal(n.body.sections.at(-1).title_vi, 'Phụ lục: danh bạ khẩn cấp');
  assert.ok(!(await tam.get(`/api/v1/plans/${plan.id}`)).body.sections.some((s) => s.code === 'phu-luc'));
});

test('the plan as a document, read as a person reads it: PDF (fonts embedded) and DOCX (through LibreOffice); 404 out of scope, bad format named', { timeout: 180_000 }, async () => {
  const base = `/api/v1/plans/${plan.id}/document`;
  assertProblem(await tam.get(`${base}?format=odt`), 422, '/format');
  assertProblem(await ngu.get(`${base}?format=pdf`), 404);
  const pdf = await download(tam, `${base}?format=pdf`);
  assert.equal(pdf.status, 200, pdf.bytes.toString().slice(0, 200));
  assert.match(pdf.headers.get('content-type'), /^application\/pdf/);
  assert.match(pdf.headers.get('content-disposition'), /filename="ke-hoach-ung-pho\.pdf"/);
  const docx = await download(tam, `${base}?format=docx`);
  assert.equal(docx.status, 200);
  assert.match(docx.headers.get('content-disposition'), /filename="ke-hoach-ung-pho\.docx"/);
  const fonts = pdfFonts(pdf.bytes);
  assert.ok(fonts.length > 0 && fonts.every((f) => f.embedded), `fonts embedded: ${JSON.stringify(fonts)}`);
  renderPng(pdf.bytes, { out: join(tmpdir(), 'ungcuu-plan-page1.png'), dpi: 60 });
  const [docxTextOf] = docxTexts([docx.bytes]);
  for (const [what, text] of [['pdf', flat(pdfText(pdf.bytes))], ['docx', flat(docxTextOf)]]) {
    for (const want of [NATION, MOTTO, 'UBND xã Tam Thanh', 'KẾ HOẠCH',
      'Kế hoạch ứng phó sự cố an toàn thông tin mạng xã Tam Thanh năm 2027 (phiên bản 2)',
      `(Ban hành kèm theo Quyết định số 130/QĐ-UBND ngày ${today().split('-').reverse().join('/')})`,
      `Phú Quý, ${vnDateWords(`${plan.decision_date}T05:00:00Z`)}`,   // dated by the decision
      '1. Hiện trạng và năng lực bảo đảm an toàn thông tin', 'Cổng dịch vụ công xã Tam Thanh: cấp độ 3',
      '5. Nguyên tắc ưu tiên duy trì hoạt động của hệ thống khi ứng cứu',
      'Kịch bản: Mã hóa phần mềm, dữ liệu, thiết bị', 'Rút cáp mạng các máy bị mã hóa; tắt thư mục chia sẻ của xã.',
      'Dự toán 2027: 60.000.000 đồng cho diễn tập và sao lưu.', 'THỦ TRƯỞNG CƠ QUAN', 'Ngô Thị Giang']) {
      assert.ok(text.includes(flat(want)), `${what}: "${want}" in the document`);
    }
  }
});

test('`ungcuu doc plan ID` prints the same bytes as the API; an unknown plan is refused', () => {
  return (async () => {
    const api = await download(tam, `/api/v1/plans/${plan.id}/document?format=docx`);
    const out = execFileSync(bin, ['doc', 'plan', plan.id, '--db', server.db, '--format', 'docx', '-o', '-']);
    assert.ok(out.equals(api.bytes), 'the CLI gives the API\'s bytes');
    const bad = run(['doc', 'plan', '01a24e87-0000-7000-8000-000000000000', '--db', server.db, '-o', '-']);
    assert.equal(bad.status, 1, bad.stderr);
    assert.match(bad.stderr, /Không tìm thấy/);
    assert.match(run(['doc', '--help']).stdout, /plan +kế hoạch ứng phó sự cố/);
  })();
});

test('an incident on a system with its own approved plan gets that plan\'s playbook, not the organisation\'s', async () => {
  const p = `/api/v1/plans/${cameraPlan.id}`;
  let r = await tam.patch(p, { scenarios: [{ threat: 'encryption', steps: [{ phase: 'contain', text: 'Tách đầu ghi camera khỏi mạng nội bộ của xã.' }] }] }, im(cameraPlan.version));
  assert.equal(r.status, 200, r.text);
  r = await tam.post(`${p}/transitions`, { to: 'submitted' }, im(r.body.version));
  r = await lead.post(`${p}/transitions`, { to: 'approved', decision_number: '131/QĐ-UBND', decision_date: today() }, im(r.body.version));
  assert.equal(r.status, 200, r.text);
  const i = await file(tam, { type: 'encryption', system: { system_id: camera.id, name: camera.name } });
  let v = (await moveOk(coord, i.id, { to: 'acknowledged' }, i.version)).version;
  v = (await moveOk(coord, i.id, { to: 'verified' }, v)).version;
  const c = await moveOk(coord, i.id, { to: 'classified', severity: 'high' }, v);
  assert.deepEqual(c.tasks.map((t) => t.title), ['1. Tách đầu ghi camera khỏi mạng nội bộ của xã.']);
  const pb = (await tam.get(`/api/v1/incidents/${i.id}/playbook`)).body.items;
  assert.equal(pb[0].plan.id, cameraPlan.id);
});
