// Response plans and playbooks in the browser (issue 15, items 2-3; h/plans):
// the commune of Tam Thanh drafts its plan from the Kế hoạch menu, edits the
// ransomware checklist and submits it; the district's leader approves it
// with the decision's number; the district sees the commune's plan is
// current; a new version shows its diff; an incident classified as
// ransomware shows the playbook's steps and which are done. Screenshots at
// 1366x768 and 390x844.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, Client } from '../lib/server.mjs';
import { launch, newPage, login, shot } from './lib.mjs';

let server, browser, planId;
const PHONE = { width: 390, height: 844 };

before(async () => {
  server = await startServer();
  browser = await launch();
}, { timeout: 60_000 });
after(async () => {
  await browser?.close();
  await server?.stop();
}, { timeout: 30_000 });

async function client(username) {
  const c = new Client(server.url);
  const l = server.login(username);
  assert.equal((await c.login(l.username, l.password)).status, 200);
  return c;
}

test('the commune drafts its plan, edits the ransomware checklist and submits it', { timeout: 90_000 }, async () => {
  const tam = await client('tamthanh');
  assert.equal((await tam.post('/api/v1/systems', { name: 'Cổng dịch vụ công xã Tam Thanh', level: 3, function: 'citizen_facing' })).status, 201);
  const { context, page } = await newPage(browser);
  await login(page, server, 'tamthanh');
  await page.locator('nav').getByRole('link', { name: 'Kế hoạch' }).click();
  await page.locator('#plans-section tr[data-org="pq-tamthanh"]').waitFor();
  assert.match(await page.locator('#plans-section tr[data-org="pq-tamthanh"]').textContent(), /Chưa có kế hoạch/);
  await page.locator('#plan-new').click();
  await page.locator('#plan-edit').waitFor();
  planId = page.url().split('/').pop();
  assert.equal(await page.locator('#plan-status').textContent(), 'Dự thảo');
  // pre-filled from the registry
  assert.match(await page.locator('#sec-state').inputValue(), /Cổng dịch vụ công xã Tam Thanh: cấp độ 3/);
  assert.match(await page.locator('#sec-priorities').inputValue(), /Thứ tự ưu tiên các hệ thống/);
  await page.locator('#plan-title-input').fill('Kế hoạch ứng phó sự cố an toàn thông tin mạng xã Tam Thanh năm 2027');
  await page.locator('#sec-budget').fill('Dự toán 2027: 45.000.000 đồng cho diễn tập và sao lưu.');
  // the ransomware checklist: first step reworded, a step added
  const enc = page.locator('#sc-encryption');
  await enc.locator('summary').click();
  await enc.locator('#sc-encryption-text-0').fill('Xác định máy bị mã hóa đầu tiên qua nhật ký phần mềm diệt virus.');
  const before = await enc.locator('li.step-row').count();
  await enc.locator('#sc-encryption-add').click();
  await enc.locator(`#sc-encryption-phase-${before}`).selectOption('recover');
  await enc.locator(`#sc-encryption-text-${before}`).fill('Kiểm tra bản sao lưu ngoại tuyến trước khi khôi phục hồ sơ một cửa.');
  await page.locator('#plan-save').click();
  await page.getByText('Đã lưu dự thảo.').waitFor();
  await shot(page, 'plan-draft-1366');
  page.acceptNext = true;
  await page.locator('#plan-submit').click();
  await page.locator('#plan-status', { hasText: 'Chờ phê duyệt' }).waitFor();
  assert.equal(await page.locator('#plan-edit').count(), 0, 'a submitted plan is not editable');
  assert.match(await page.locator('#sc-encryption').textContent(), /Kiểm tra bản sao lưu ngoại tuyến/);
  assert.deepEqual(page.errors, []);
  await context.close();
});

test('the leader approves it with the decision; the district sees it current', { timeout: 90_000 }, async () => {
  const { context, page } = await newPage(browser);
  await login(page, server, 'lanhdao');
  await page.goto(`${server.url}/#/plan/plans/${planId}`);
  await page.locator('#plan-approve').click();
  await page.locator('#dec-number').fill('125/QĐ-UBND');
  await shot(page, 'plan-approve-1366');
  await page.locator('#plan-approve-form button[type=submit]').click();
  await page.locator('#plan-status', { hasText: 'Đã phê duyệt' }).waitFor();
  assert.match(await page.locator('#plan-decision').textContent(), /Quyết định số 125\/QĐ-UBND/);
  assert.equal(await page.locator('#plan-approve').count(), 0);
  assert.deepEqual(page.errors, []);
  await context.close();

  const c = await newPage(browser);
  await login(c.page, server, 'dieuphoi');
  await c.page.goto(`${server.url}/#/plan`);
  const row = c.page.locator('#plans-section tr[data-org="pq-tamthanh"]');
  await row.waitFor();
  assert.match(await row.textContent(), /Đã phê duyệt/);
  assert.match(await row.textContent(), /QĐ số 125\/QĐ-UBND/);
  assert.match(await c.page.locator('#plans-section tr[data-org="pq-longhai"]').textContent(), /Chưa có kế hoạch/);
  await shot(c.page, 'plan-district-1366');
  await c.context.close();
  const p = await newPage(browser, { viewport: PHONE });
  await login(p.page, server, 'dieuphoi');
  await p.page.goto(`${server.url}/#/plan`);
  await p.page.locator('#plans-section tr[data-org="pq-tamthanh"]').waitFor();
  await shot(p.page, 'plan-district-390');
  await p.context.close();
});

test('a new version of the approved plan, changed, shows its diff', { timeout: 90_000 }, async () => {
  const { context, page } = await newPage(browser);
  await login(page, server, 'tamthanh');
  await page.goto(`${server.url}/#/plan/plans/${planId}`);
  await page.locator('#plan-new-version').click();
  await page.locator('#plan-edit').waitFor();
  assert.notEqual(page.url().split('/').pop(), planId);
  assert.match(await page.locator('.plan-meta').textContent(), /Phiên bản 2/);
  await page.locator('#sec-budget').fill('Dự toán 2027: 60.000.000 đồng cho diễn tập và sao lưu.');
  await page.locator('#plan-save').click();
  await page.getByText('Đã lưu dự thảo.').waitFor();
  await page.locator('#plan-versions summary').click();
  const versions = await page.locator('#plan-versions').textContent();
  assert.match(versions, /Phiên bản 2 · Dự thảo/);
  assert.match(versions, /Phiên bản 1 · Đã phê duyệt · QĐ số 125\/QĐ-UBND/);
  await page.locator('#plan-diff').click();
  await page.locator('#diff-budget').waitFor();
  assert.match(await page.locator('#diff-budget li.removed').textContent(), /45\.000\.000 đồng/);
  assert.match(await page.locator('#diff-budget li.added').textContent(), /60\.000\.000 đồng/);
  await shot(page, 'plan-diff-1366');
  assert.deepEqual(page.errors, []);
  await context.close();
});

test('an incident classified as ransomware gets the playbook\'s steps as tasks; the page shows which are done', { timeout: 90_000 }, async () => {
  const tam = await client('tamthanh');
  const coord = await client('dieuphoi');
  const plan = (await tam.get(`/api/v1/plans/${planId}`)).body;
  const steps = plan.scenarios.find((s) => s.threat === 'encryption').steps;
  const r = await tam.post('/api/v1/incidents', {
    title: 'Máy tính bộ phận một cửa xã Tam Thanh bị mã hóa dữ liệu',
    description: 'Các tệp hồ sơ bị đổi đuôi .lockbit, xuất hiện thông điệp đòi tiền chuộc.',
    detected_at: new Date(Date.now() - 3600_000).toISOString(), type: 'malware',
  });
  assert.equal(r.status, 201, r.text);
  const id = r.body.id;
  for (const body of [{ to: 'acknowledged' }, { to: 'verified' }, { to: 'classified', severity: 'high', type: 'encryption' }]) {
    const g = await coord.get(`/api/v1/incidents/${id}`);
    const m = await coord.post(`/api/v1/incidents/${id}/transitions`, body, { 'If-Match': `"${g.body.version}"` });
    assert.equal(m.status, 200, m.text);
  }
  const { context, page } = await newPage(browser);
  await login(page, server, 'dieuphoi');
  await page.goto(`${server.url}/#/incidents/${id}`);
  const pb = page.locator('#playbook');
  await pb.waitFor();
  assert.equal(await pb.locator('li').count(), steps.length);
  assert.match(await pb.textContent(), new RegExp(`0/${steps.length} bước đã xong`));
  assert.match(await pb.textContent(), /Xác định máy bị mã hóa đầu tiên qua nhật ký phần mềm diệt virus/);
  // the step's task, ticked in the task list, shows done in the playbook
  await page.locator('ul.tasks label', { hasText: '1. Xác định máy bị mã hóa đầu tiên' }).locator('input[type=checkbox]').check();
  await pb.locator('li[data-done="1"]').first().waitFor();
  assert.match(await pb.textContent(), new RegExp(`1/${steps.length} bước đã xong`));
  await shot(page, 'plan-playbook-incident-1366');
  assert.deepEqual(page.errors, []);
  await context.close();
  const p = await newPage(browser, { viewport: PHONE });
  await login(p.page, server, 'dieuphoi');
  await p.page.goto(`${server.url}/#/incidents/${id}`);
  await p.page.locator('#playbook').waitFor();
  await p.page.locator('#playbook').scrollIntoViewIfNeeded();
  await shot(p.page, 'plan-playbook-incident-390');
  await p.context.close();
});

test('the administrator changes the outline in the browser; others read it', { timeout: 90_000 }, async () => {
  const { context, page } = await newPage(browser);
  await login(page, server, 'admin');
  await page.goto(`${server.url}/#/plan`);
  await page.locator('#plan-outline-link').click();
  await page.locator('#outline-form').waitFor();
  const n = await page.locator('li.outline-row').count();
  await page.locator('#ol-add').click();
  await page.locator(`#ol-vi-${n}`).fill('Phụ lục: danh bạ khẩn cấp');
  await page.locator(`#ol-en-${n}`).fill('Annex: emergency contacts');
  await page.locator(`#ol-code-${n}`).fill('phu-luc');
  await page.locator('#ol-save').click();
  await page.getByText('Đã lưu đề cương.').waitFor();
  await shot(page, 'plan-outline-1366');
  assert.deepEqual(page.errors, []);
  await context.close();
  const tam = await client('tamthanh');
  const o = (await tam.get('/api/v1/plan-outline')).body;
  assert.equal(o.sections.at(-1).title_vi, 'Phụ lục: danh bạ khẩn cấp');
  const c = await newPage(browser);
  await login(c.page, server, 'tamthanh');
  await c.page.goto(`${server.url}/#/plan/outline`);
  await c.page.locator('#outline-form').waitFor();
  assert.equal(await c.page.locator('#ol-save').count(), 0, 'only the administrator saves');
  assert.ok(await c.page.locator('#ol-vi-0').isDisabled());
  await c.context.close();
});
